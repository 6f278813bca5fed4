// safetensors: round trips of every dtype, the on-disk layout, and each corruption class is a clear
// error naming the file and the tensor (never a crash, including under random byte mutations).
#include "cvpipe/nn/safetensors.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> raw_file(const std::string& header, std::size_t data_bytes, std::size_t extra = 0) {
  std::vector<std::byte> out(8 + header.size() + data_bytes + extra);
  const std::uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  for (std::size_t i = 0; i < data_bytes + extra; ++i) out[8 + header.size() + i] = std::byte(i & 0xff);
  return out;
}

Status parse_raw(const std::vector<std::byte>& bytes) {
  SafeTensors st;
  return SafeTensors::parse(bytes, "model.safetensors", st);
}

void expect_error(const Status& s, const std::vector<std::string>& fragments) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("model.safetensors"), std::string::npos) << s.message();
  for (const auto& f : fragments) EXPECT_NE(s.message().find(f), std::string::npos) << "'" << f << "' not in: " << s.message();
}

fs::path temp_dir() {
  auto dir = fs::temp_directory_path() / ("cvpipe_st_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir;
}

TEST(Safetensors, RoundTripAllWritableDtypes) {
  SafeTensors st;
  st.metadata["arch"] = R"({"type":"lenet"})";
  st.metadata["format"] = "pt";
  std::vector<float> w{1.5f, -2.25f, 3.0f, 0.0f, -0.0f, 1e-3f};
  st.set_f32("conv.weight", {2, 3}, w);
  st.set_f32("conv.bias", {3}, std::vector<float>{1.0f, 2.0f, -3.5f}, StDtype::BF16);
  st.set_f32("half", {2}, std::vector<float>{0.5f, -65504.0f}, StDtype::F16);
  st.set_f32("dbl", {1}, std::vector<float>{0.1f}, StDtype::F64);
  std::vector<std::int64_t> ids{-1, 0, 1ll << 40};
  st.set("ids", StTensor::from_i64({3}, ids));
  st.set_f32("empty", {0, 4}, std::vector<float>{});
  st.set_f32("scalar", {}, std::vector<float>{7.0f});

  const auto path = temp_dir() / "roundtrip.safetensors";
  ASSERT_OK(st.save(path));
  SafeTensors back;
  const Status s = SafeTensors::load(path, back);
  ASSERT_OK(s);
  EXPECT_EQ(back.metadata, st.metadata);
  EXPECT_EQ(back.names(), st.names());
  EXPECT_EQ(back.find("conv.weight")->to_f32(), w);
  EXPECT_EQ(back.find("conv.weight")->shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(back.find("conv.bias")->dtype, StDtype::BF16);
  EXPECT_EQ(back.find("conv.bias")->to_f32(), (std::vector<float>{1.0f, 2.0f, -3.5f}));
  EXPECT_EQ(back.find("half")->to_f32(), (std::vector<float>{0.5f, -65504.0f}));
  EXPECT_FLOAT_EQ(back.find("dbl")->to_f32()[0], 0.1f);
  EXPECT_EQ(back.find("ids")->to_i64(), ids);
  EXPECT_EQ(back.find("empty")->numel(), 0);
  EXPECT_EQ(back.find("scalar")->shape.size(), 0u);
  EXPECT_EQ(back.find("scalar")->to_f32(), std::vector<float>{7.0f});
  fs::remove_all(path.parent_path());
}

TEST(Safetensors, LayoutIsStandard) {
  SafeTensors st;
  st.metadata["k"] = "v";
  st.set_f32("a", {3}, std::vector<float>{1, 2, 3});
  const auto bytes = st.serialize();
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u) << "data must start 8-byte aligned";
  const std::string header(reinterpret_cast<const char*>(bytes.data() + 8), n);
  EXPECT_EQ(header.front(), '{');
  EXPECT_NE(header.find(R"("__metadata__":{"k":"v"})"), std::string::npos) << header;
  EXPECT_NE(header.find(R"("a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]})"), std::string::npos) << header;
  EXPECT_EQ(header.find_last_not_of(' ') + 1, header.find_last_of('}') + 1) << "padding is spaces";
  EXPECT_EQ(bytes.size(), 8 + n + 12);
  float v[3];
  std::memcpy(v, bytes.data() + 8 + n, 12);
  EXPECT_EQ(v[2], 3.0f);
}

TEST(Safetensors, HalfPrecisionConversions) {
  EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.00390625f), 0x3f80) << "ties round to even";
  EXPECT_EQ(f32_to_bf16(1.01171875f), 0x3f82) << "ties round to even (odd below)";
  EXPECT_EQ(bf16_to_f32(0xc040), -3.0f);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(std::nanf("")))));
  EXPECT_EQ(f32_to_f16(1.0f), 0x3c00);
  EXPECT_EQ(f32_to_f16(-2.0f), 0xc000);
  EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
  EXPECT_EQ(f32_to_f16(1e6f), 0x7c00) << "overflow is inf";
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -24)), 0x0001) << "smallest subnormal";
  EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -26)), 0x0000);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f16_to_f32(0x3555), 0.333251953125f);
  // Every finite f16 survives f16 -> f32 -> f16.
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    ASSERT_EQ(f32_to_f16(f16_to_f32(static_cast<std::uint16_t>(h))), h) << std::hex << h;
  }
}

TEST(Safetensors, ReadsForeignDtypes) {
  // I32, I16, I8, U8, BOOL as another writer would store them.
  const std::string h =
      R"({"i32":{"dtype":"I32","shape":[2],"data_offsets":[0,8]},)"
      R"("u8":{"dtype":"U8","shape":[2],"data_offsets":[8,10]},)"
      R"("b":{"dtype":"BOOL","shape":[2],"data_offsets":[10,12]},)"
      R"("i8":{"dtype":"I8","shape":[1],"data_offsets":[12,13]},)"
      R"("i16":{"dtype":"I16","shape":[1],"data_offsets":[13,15]}})";
  auto bytes = raw_file(h, 15);
  std::byte* d = bytes.data() + 8 + h.size();
  const std::int32_t i32[2] = {-7, 9};
  std::memcpy(d, i32, 8);
  d[8] = std::byte{200};
  d[9] = std::byte{3};
  d[10] = std::byte{1};
  d[11] = std::byte{0};
  d[12] = std::byte{0xff};
  const std::int16_t i16 = -300;
  std::memcpy(d + 13, &i16, 2);
  SafeTensors st;
  const Status s = SafeTensors::parse(bytes, "x", st);
  ASSERT_OK(s);
  EXPECT_EQ(st.find("i32")->to_i64(), (std::vector<std::int64_t>{-7, 9}));
  EXPECT_EQ(st.find("u8")->to_f32(), (std::vector<float>{200, 3}));
  EXPECT_EQ(st.find("b")->to_i64(), (std::vector<std::int64_t>{1, 0}));
  EXPECT_EQ(st.find("i8")->to_i64(), (std::vector<std::int64_t>{-1}));
  EXPECT_EQ(st.find("i16")->to_f32(), (std::vector<float>{-300}));
}

TEST(SafetensorsCorrupt, ShorterThanEightBytes) {
  expect_error(parse_raw(std::vector<std::byte>(5)), {"shorter than the 8-byte header length"});
  expect_error(parse_raw({}), {"0 bytes"});
}

TEST(SafetensorsCorrupt, HeaderLengthBeyondFile) {
  auto bytes = raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4);
  const std::uint64_t huge = 1ull << 62;
  std::memcpy(bytes.data(), &huge, 8);
  expect_error(parse_raw(bytes), {"header length", "runs past the end"});
}

TEST(SafetensorsCorrupt, MalformedJson) {
  expect_error(parse_raw(raw_file(R"({"a":{"dtype":"F32","shape":[1],)", 4)), {"malformed JSON"});
  expect_error(parse_raw(raw_file(R"([1,2,3,4])", 0)), {"does not start with '{'"});
  expect_error(parse_raw(raw_file(R"({"a":5})", 0)), {"tensor 'a'", "not an object"});
  expect_error(parse_raw(raw_file(R"({"__metadata__":{"k":1}})", 0)), {"'__metadata__' entry 'k'"});
  expect_error(parse_raw(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)),
               {"tensor 'a' appears twice"});
}

TEST(SafetensorsCorrupt, UnknownDtype) {
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F31","shape":[1],"data_offsets":[0,4]}})", 4)),
               {"tensor 'w'", "unknown dtype 'F31'"});
  expect_error(parse_raw(raw_file(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", 4)), {"tensor 'w'", "dtype"});
}

TEST(SafetensorsCorrupt, OffsetsOutOfRange) {
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4)),
               {"tensor 'w'", "run past the 4 data bytes"});
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", 4)),
               {"tensor 'w'", "reversed"});
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", 4)),
               {"tensor 'w'", "data_offsets"});
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[1]}})", 4)), {"tensor 'w'", "data_offsets"});
}

TEST(SafetensorsCorrupt, OverlappingOffsets) {
  expect_error(parse_raw(raw_file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                  R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12)),
               {"tensor 'b'", "overlap tensor 'a'"});
}

TEST(SafetensorsCorrupt, OffsetsNotCoveringData) {
  expect_error(parse_raw(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                  R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})", 12)),
               {"4 unused data bytes before tensor 'b'"});
}

TEST(SafetensorsCorrupt, ExtraTrailingBytes) {
  expect_error(parse_raw(raw_file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 4, 3)),
               {"3 trailing bytes after the last tensor 'a'"});
}

TEST(SafetensorsCorrupt, ShapeTimesDtypeMismatch) {
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}})", 20)),
               {"tensor 'w'", "[2, 3]", "needs 24 bytes", "hold 20"});
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"BF16","shape":[4611686018427387904,4],"data_offsets":[0,8]}})", 8)),
               {"tensor 'w'", "overflows"});
  expect_error(parse_raw(raw_file(R"({"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4)),
               {"tensor 'w'", "shape entry"});
}

TEST(SafetensorsCorrupt, TruncatedFileOnDisk) {
  SafeTensors st;
  st.set_f32("layer.weight", {4, 4}, std::vector<float>(16, 1.0f));
  const auto path = temp_dir() / "trunc.safetensors";
  ASSERT_OK(st.save(path));
  fs::resize_file(path, fs::file_size(path) - 6);
  SafeTensors back;
  const Status s = SafeTensors::load(path, back);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path.string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("layer.weight"), std::string::npos) << s.message();
  EXPECT_EQ(back.size(), 0u) << "nothing is returned from an invalid file";
  fs::remove_all(path.parent_path());
}

TEST(SafetensorsCorrupt, MissingFileIsNotFound) {
  SafeTensors st;
  const Status s = SafeTensors::load("/nonexistent/dir/m.safetensors", st);
  EXPECT_EQ(s.code(), StatusCode::not_found);
  EXPECT_NE(s.message().find("/nonexistent/dir/m.safetensors"), std::string::npos);
}

TEST(SafetensorsCorrupt, RandomMutationsNeverCrash) {
  SafeTensors st;
  st.metadata["arch"] = "x";
  st.set_f32("a", {3, 2}, std::vector<float>(6, 0.5f));
  st.set_f32("b", {5}, std::vector<float>(5, 0.25f), StDtype::BF16);
  const auto good = st.serialize();
  std::mt19937_64 rng(1);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    auto bytes = good;
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) bytes.resize(rng() % bytes.size());
    else if (kind == 1) bytes[rng() % bytes.size()] = std::byte(rng() & 0xff);
    else bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(rng() % bytes.size()), std::byte(rng() & 0xff));
    SafeTensors out;
    if (!SafeTensors::parse(bytes, "fuzz", out).ok()) ++rejected;
  }
  EXPECT_GT(rejected, 1000);
}

TEST(Safetensors, AtomicSaveLeavesNoTemporaryFiles) {
  const auto dir = temp_dir() / "atomic";
  fs::remove_all(dir);
  SafeTensors st;
  st.set_f32("a", {1}, std::vector<float>{1});
  ASSERT_OK(st.save(dir / "m.safetensors"));
  st.set_f32("a", {1}, std::vector<float>{2});
  ASSERT_OK(st.save(dir / "m.safetensors"));  // overwrite in place
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1);
  SafeTensors back;
  ASSERT_OK(SafeTensors::load(dir / "m.safetensors", back));
  EXPECT_EQ(back.find("a")->to_f32()[0], 2.0f);
  const Status s = st.save("/proc/forbidden/m.safetensors");
  EXPECT_FALSE(s.ok());
  fs::remove_all(dir);
}


// A file is judged by its 8-byte header length and JSON header before any tensor byte is read: a
// 1 GB sparse file with a bad header is refused without the resident memory growing by its size.
TEST(SafetensorsLimits, HeaderIsCheckedBeforeTheDataIsRead) {
  const auto dir = temp_dir() / "sparse";
  fs::create_directories(dir);
  const std::string header = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  const auto write_sparse = [&](const fs::path& file, std::uint64_t header_len) {
    {
      std::ofstream out(file, std::ios::binary);
      out.write(reinterpret_cast<const char*>(&header_len), 8);
      out.write(header.data(), static_cast<std::streamsize>(header.size()));
    }
    fs::resize_file(file, 1ull << 30);  // 1 GB, sparse: costs no disk
  };
  const auto rss_kb = [] {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return 0L;
  };
  const long before = rss_kb();
  write_sparse(dir / "trailing.safetensors", header.size());
  SafeTensors st;
  Status s = SafeTensors::load(dir / "trailing.safetensors", st);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("trailing bytes"), std::string::npos) << s.message();
  write_sparse(dir / "huge_header.safetensors", 512ull << 20);
  s = SafeTensors::load(dir / "huge_header.safetensors", st);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("implausibly large"), std::string::npos) << s.message();
  EXPECT_LT(rss_kb() - before, 64 * 1024) << "the peak resident memory grew by the file's size";
  fs::remove_all(dir);
}

// Weights that are NaN or infinite are refused at load, naming the tensor; integers are not judged.
TEST(SafetensorsLimits, NonFiniteValuesAreRefusedNamingTheTensor) {
  for (const StDtype dtype : {StDtype::F32, StDtype::F16, StDtype::BF16, StDtype::F64}) {
    for (const float bad : {std::nanf(""), INFINITY, -INFINITY}) {
      SafeTensors st;
      st.set_f32("conv.bias", {3}, std::vector<float>{1.0f, 2.0f, 3.0f}, dtype);
      st.set_f32("conv.weight", {2, 2}, std::vector<float>{0.5f, bad, 0.25f, 1.0f}, dtype);
      SafeTensors back;
      const Status s = SafeTensors::parse(st.serialize(), "model.safetensors", back);
      expect_error(s, {"tensor 'conv.weight'", std::string(st_dtype_name(dtype)), "value 1 of 4",
                       std::isnan(bad) ? "NaN" : "infinite"});
      EXPECT_EQ(back.size(), 0u);
    }
  }
  const auto path = temp_dir() / "nan.safetensors";
  SafeTensors st;
  st.set_f32("fc.weight", {2}, std::vector<float>{std::nanf(""), std::nanf("")});
  ASSERT_OK(st.save(path));
  SafeTensors back;
  const Status s = SafeTensors::load(path, back);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(path.string()), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'fc.weight'"), std::string::npos) << s.message();
  fs::remove(path);
  SafeTensors ints;  // every bit pattern is a valid integer
  ints.set("idx", StTensor::from_i64({2}, std::vector<std::int64_t>{-1, 0x7ff8000000000000}));
  EXPECT_OK(SafeTensors::parse(ints.serialize(), "x", back));
}

// A folder or a FIFO where a weights file is expected is named as such, not "no such file".
TEST(SafetensorsLimits, FolderOrFifoIsNamedAsSuch) {
  const auto dir = temp_dir() / "notfile";
  fs::create_directories(dir / "m.safetensors");
  SafeTensors st;
  Status s = SafeTensors::load(dir / "m.safetensors", st);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("is a folder"), std::string::npos) << s.message();
  ASSERT_EQ(::mkfifo((dir / "fifo.safetensors").c_str(), 0600), 0);
  s = SafeTensors::load(dir / "fifo.safetensors", st);  // must not block opening the FIFO
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cvpipe::nn
