// The pixel budget of decoded images: PNG and JPEG dimensions are read from the file header and an
// image above the budget is refused before it is decoded (a small file claiming 30000x30000 never
// allocates 2.7 GB); other formats are refused after decoding; the images source applies
// runtime.max_pixels; the header reader never reads past the bytes it is given.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/image_file.hpp"
#include "io/io.hpp"
#include "cvpipe/testing/images.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::uint8_t> encode(const std::string& ext, const cv::Mat& image) {
  std::vector<std::uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(ext, image, bytes));
  return bytes;
}

void write_bytes(const fs::path& file, const std::vector<std::uint8_t>& bytes) {
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
}

// A real PNG whose IHDR claims width x height (the CRC is left stale: the budget check comes first).
std::vector<std::uint8_t> png_claiming(std::uint32_t width, std::uint32_t height) {
  auto bytes = encode(".png", color_image(8, 8));
  for (int k = 0; k < 4; ++k) {
    bytes[16 + k] = static_cast<std::uint8_t>(width >> (24 - 8 * k));
    bytes[20 + k] = static_cast<std::uint8_t>(height >> (24 - 8 * k));
  }
  return bytes;
}

// A real JPEG whose SOF0 claims width x height.
std::vector<std::uint8_t> jpeg_claiming(std::uint16_t width, std::uint16_t height) {
  auto bytes = encode(".jpg", color_image(16, 16));
  for (std::size_t i = 2; i + 8 < bytes.size(); ++i) {
    if (bytes[i] == 0xFF && bytes[i + 1] == 0xC0) {
      bytes[i + 5] = static_cast<std::uint8_t>(height >> 8);
      bytes[i + 6] = static_cast<std::uint8_t>(height);
      bytes[i + 7] = static_cast<std::uint8_t>(width >> 8);
      bytes[i + 8] = static_cast<std::uint8_t>(width);
      return bytes;
    }
  }
  ADD_FAILURE() << "no SOF0 marker in the encoded JPEG";
  return bytes;
}

TEST(ImageHeaderSize, ReadsPngAndJpegDimensions) {
  std::int64_t w = 0, h = 0;
  ASSERT_TRUE(image_header_size(encode(".png", color_image(37, 21)), w, h));
  EXPECT_EQ(w, 37);
  EXPECT_EQ(h, 21);
  ASSERT_TRUE(image_header_size(encode(".jpg", gray_image(50, 9)), w, h));
  EXPECT_EQ(w, 50);
  EXPECT_EQ(h, 9);
  ASSERT_TRUE(image_header_size(png_claiming(30000, 30000), w, h));
  EXPECT_EQ(w * h, 900'000'000);
  EXPECT_FALSE(image_header_size(encode(".bmp", color_image(8, 8)), w, h));  // no header reader: false
  // Every prefix of a JPEG either yields its dimensions or false, never a read past the end.
  const auto jpeg = encode(".jpg", color_image(40, 30));
  for (std::size_t n = 0; n < 700 && n <= jpeg.size(); ++n) {
    std::vector<std::uint8_t> prefix(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(n));
    if (image_header_size(prefix, w, h)) {
      EXPECT_TRUE(w == 40 && h == 30) << n;
    }
  }
}

TEST(ImageBudget, OversizedPngAndJpegAreRefusedBeforeDecoding) {
  const TempDir dir;
  write_bytes(dir / "huge.png", png_claiming(30000, 30000));
  write_bytes(dir / "huge.jpg", jpeg_claiming(60000, 60000));
  for (const char* name : {"huge.png", "huge.jpg"}) {
    cv::Mat out;
    const Status s = read_image(dir / name, cv::IMREAD_COLOR, out);
    ASSERT_STATUS(s, io_error);
    EXPECT_NE(s.message().find(name), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("exceed the budget of 100000000 pixels"), std::string::npos) << s.message();
    EXPECT_TRUE(out.empty());
  }
  cv::Mat out;
  const Status s = read_image(dir / "huge.png", cv::IMREAD_COLOR, out);
  EXPECT_NE(s.message().find("30000x30000"), std::string::npos) << s.message();
}

TEST(ImageBudget, TheBudgetIsAParameterAndAppliesToEveryFormat) {
  const TempDir dir;
  for (const char* ext : {".png", ".jpg", ".bmp", ".tiff"}) {
    const fs::path file = dir / (std::string("img") + ext);
    ASSERT_TRUE(cv::imwrite(file.string(), color_image(200, 100)));
    cv::Mat out;
    EXPECT_OK(read_image(file, cv::IMREAD_COLOR, out, 20'000));
    EXPECT_EQ(out.total(), 20'000u);
    const Status s = read_image(file, cv::IMREAD_COLOR, out, 19'999);
    EXPECT_STATUS(s, io_error) << ext;
    EXPECT_NE(s.message().find("200x100 pixels exceed the budget of 19999"), std::string::npos) << s.message();
    EXPECT_TRUE(out.empty()) << ext;
  }
}

TEST(ImageBudget, ImagesSourceAppliesMaxPixels) {
  const TempDir dir;
  ASSERT_TRUE(cv::imwrite((dir / "a.png").string(), color_image(64, 64)));
  ASSERT_TRUE(cv::imwrite((dir / "b.png").string(), color_image(16, 16)));
  SourceSpec spec;
  spec.type = "images";
  spec.options.set("path", (dir.path()).string());
  spec.options.set("include", std::string());
  spec.options.set("loop", false);
  spec.options.set("read", std::string("auto"));
  spec.options.set("fps", 0.0);
  spec.options.set("shard_count", int64_t{1});
  spec.options.set("shard_index", int64_t{0});
  std::unique_ptr<io::Source> source;
  ASSERT_OK(io::make_source(spec, source));
  source->set_max_pixels(1000);
  StreamInfo info;
  ASSERT_OK(source->open(info));
  Frame frame;
  const Status s = source->read(frame);
  EXPECT_STATUS(s, io_error);
  EXPECT_NE(s.message().find("a.png"), std::string::npos) << s.message();
  ASSERT_OK(source->read(frame));  // the next file is within the budget
  EXPECT_EQ(frame.image.cols, 16);
}

}  // namespace
}  // namespace cvpipe::test
