// Built-in sources, in process: images (listing, order, read modes, corrupt files, loop), video
// (timestamps, truncated files, loop), gstreamer, stream and camera error paths.
#include <gtest/gtest.h>

#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "io/image_list.hpp"
#include "io/io.hpp"
#include "schema.hpp"
#include "cvpipe/testing/images.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<io::Source> make(const std::string& type, const std::vector<std::pair<std::string, ParamValue>>& options) {
  SourceSpec spec;
  spec.type = type;
  for (const auto& [k, v] : options) spec.options.set(k, v);
  fill_defaults(*io::source_params(type), spec.options);
  std::unique_ptr<io::Source> src;
  EXPECT_OK(io::make_source(spec, src));
  return src;
}

// Reads to the end; returns the frames, and the errors in `errors`.
std::vector<Frame> drain(io::Source& src, std::vector<Status>* errors = nullptr, int limit = 1000) {
  std::vector<Frame> frames;
  for (int i = 0; i < limit; ++i) {
    Frame f;
    const Status st = src.read(f);
    if (st.is_end()) break;
    if (!st.ok()) {
      if (errors) errors->push_back(st);
      continue;
    }
    frames.push_back(std::move(f));
  }
  return frames;
}

TEST(NaturalOrder, NumbersCompareByValue) {
  EXPECT_TRUE(io::natural_less("img2.png", "img10.png"));
  EXPECT_FALSE(io::natural_less("img10.png", "img2.png"));
  EXPECT_TRUE(io::natural_less("a.png", "b.png"));
  EXPECT_TRUE(io::natural_less("img1.png", "img01.png") || io::natural_less("img01.png", "img1.png"));
  EXPECT_FALSE(io::natural_less("same", "same"));
  EXPECT_TRUE(io::natural_less("x", "x1"));
}

TEST(ImagesSource, FolderInNaturalOrderSkippingOtherFiles) {
  TempDir dir;
  for (const char* n : {"img10.png", "img2.png", "img1.jpg", ".hidden.png"}) cv::imwrite((dir / n).string(), color_image(6, 4));
  { std::ofstream(dir / "notes.txt") << "not an image"; }
  auto src = make("images", {{"path", dir.path().string()}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_EQ(info.frame_count, 3);
  const auto frames = drain(*src);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].source, "img1.jpg");
  EXPECT_EQ(frames[1].source, "img2.png");
  EXPECT_EQ(frames[2].source, "img10.png");
  EXPECT_EQ(std::get<std::string>(frames[0].meta.at("path")), (dir / "img1.jpg").string());
}

TEST(ImagesSource, GlobIncludeAndBraces) {
  TempDir dir;
  for (const char* n : {"a.png", "b.png", "c.jpg"}) cv::imwrite((dir / n).string(), gray_image(4, 4));
  auto glob = make("images", {{"path", (dir / "*.png").string()}});
  StreamInfo info;
  ASSERT_OK(glob->open(info));
  EXPECT_EQ(drain(*glob).size(), 2u);
  auto braces = make("images", {{"path", (dir / "{a,c}.*").string()}});
  ASSERT_OK(braces->open(info));
  EXPECT_EQ(drain(*braces).size(), 2u);
  auto include = make("images", {{"path", dir.path().string()}, {"include", std::string("b.png, *.JPG")}});
  ASSERT_OK(include->open(info));
  const auto frames = drain(*include);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].source, "b.png");
  EXPECT_EQ(frames[1].source, "c.jpg");
}

TEST(ImagesSource, ReadModes) {
  TempDir dir;
  cv::imwrite((dir / "deep.png").string(), color_image(5, 3, CV_16U));
  cv::imwrite((dir / "alpha.png").string(), pattern_image({5, 3}, CV_8UC4));
  auto color = make("images", {{"path", (dir / "deep.png").string()}, {"read", std::string("color")}});
  StreamInfo info;
  ASSERT_OK(color->open(info));
  EXPECT_EQ(drain(*color).at(0).image.type(), CV_8UC3);
  auto gray = make("images", {{"path", (dir / "deep.png").string()}, {"read", std::string("gray")}});
  ASSERT_OK(gray->open(info));
  EXPECT_EQ(drain(*gray).at(0).image.type(), CV_8UC1);
  auto raw = make("images", {{"path", (dir / "deep.png").string()}, {"read", std::string("unchanged")}});
  ASSERT_OK(raw->open(info));
  EXPECT_EQ(drain(*raw).at(0).image.type(), CV_16UC3);
  auto alpha = make("images", {{"path", (dir / "alpha.png").string()}, {"read", std::string("unchanged")}});
  ASSERT_OK(alpha->open(info));
  const Frame a = drain(*alpha).at(0);
  EXPECT_EQ(a.image.type(), CV_8UC3);
  ASSERT_TRUE(a.planes.count("alpha"));
  EXPECT_EQ(a.planes.at("alpha").type(), CV_8UC1);
}

// The default (`read: auto`) keeps a file's channel count at 8 bits: gray files stay gray (PNG and
// JPEG, 8 and 16 bit), colour files are BGR, an alpha channel is dropped; `color` expands gray.
TEST(ImagesSource, DefaultKeepsTheChannelCount) {
  TempDir dir;
  const cv::Mat gray = gray_image(7, 5), gray16 = gray_image(7, 5, CV_16U), bgr = color_image(7, 5);
  cv::imwrite((dir / "a_gray.png").string(), gray);
  cv::imwrite((dir / "b_gray.jpg").string(), gray);
  cv::imwrite((dir / "c_gray16.png").string(), gray16);
  cv::imwrite((dir / "d_color.png").string(), bgr);
  cv::imwrite((dir / "e_bgra.png").string(), pattern_image({7, 5}, CV_8UC4));
  auto src = make("images", {{"path", dir.path().string()}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  const auto frames = drain(*src);
  ASSERT_EQ(frames.size(), 5u);
  const std::vector<int> expected = {CV_8UC1, CV_8UC1, CV_8UC1, CV_8UC3, CV_8UC3};
  for (size_t i = 0; i < frames.size(); ++i)
    EXPECT_EQ(frames[i].image.type(), expected[i]) << frames[i].source << ": " << type_name(frames[i].image.type());
  EXPECT_EQ(max_abs_diff(frames[0].image, gray), 0.0) << "gray pixels unchanged";
  EXPECT_EQ(max_abs_diff(frames[3].image, bgr), 0.0) << "colour pixels unchanged";
  cv::Mat gray16_as_8;
  gray16.convertTo(gray16_as_8, CV_8U, 1.0 / 257.0);
  EXPECT_LE(max_abs_diff(frames[2].image, gray16_as_8), 1.0) << "16-bit scaled to 8 bits";
  auto color = make("images", {{"path", (dir / "a_gray.png").string()}, {"read", std::string("color")}});
  ASSERT_OK(color->open(info));
  EXPECT_EQ(drain(*color).at(0).image.type(), CV_8UC3);
}

// Reads the images of `dir`: expects frames from the `good` files (in order) and one io_error that
// names `bad` and contains `why`.
void expect_read_skipping(const fs::path& dir, const std::vector<std::string>& good, const fs::path& bad,
                          const std::string& why = "") {
  auto src = make("images", {{"path", dir.string()}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  std::vector<Status> errors;
  const auto frames = drain(*src, &errors);
  ASSERT_EQ(frames.size(), good.size());
  for (std::size_t i = 0; i < good.size(); ++i) EXPECT_EQ(frames[i].source, good[i]);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_STATUS(errors[0], io_error);
  EXPECT_NE(errors[0].message().find(bad.string()), std::string::npos) << errors[0].message();
  EXPECT_NE(errors[0].message().find(why), std::string::npos) << errors[0].message();
}

TEST(ImagesSource, CorruptFileIsAnErrorAndReadingGoesOn) {
  TempDir dir;
  cv::imwrite((dir / "a.png").string(), color_image(4, 4));
  write_corrupt_image(dir / "b.jpg");
  cv::imwrite((dir / "c.png").string(), color_image(4, 4));
  expect_read_skipping(dir.path(), {"a.png", "c.png"}, dir / "b.jpg");
}

// OpenCV decodes a cut-off JPEG into a complete-looking image; the source refuses it by name.
TEST(ImagesSource, TruncatedJpegIsAnErrorButTrailingDataIsNot) {
  TempDir dir;
  cv::Mat noise(61, 97, CV_8UC3);
  cv::randu(noise, 0, 256);  // entropy-coded data full of stuffed 0xFF bytes
  const std::vector<std::vector<int>> encodings = {
      {}, {cv::IMWRITE_JPEG_PROGRESSIVE, 1}, {cv::IMWRITE_JPEG_RST_INTERVAL, 2}};
  for (std::size_t e = 0; e < encodings.size(); ++e) {
    const fs::path whole = dir / ("whole" + std::to_string(e) + ".jpg");
    ASSERT_TRUE(cv::imwrite(whole.string(), noise, encodings[e]));
    std::vector<std::uint8_t> bytes(fs::file_size(whole));
    std::ifstream(whole, std::ios::binary).read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    EXPECT_EQ(jpeg_truncation(bytes), "") << e;
    for (std::size_t cut : {bytes.size() - 1, bytes.size() - 2, bytes.size() * 2 / 3, std::size_t{200}}) {
      EXPECT_NE(jpeg_truncation(std::span(bytes).first(cut)), "") << e << " cut at " << cut;
    }
    // Data after the end-of-image marker (an appended thumbnail or video) is allowed.
    std::vector<std::uint8_t> trailing = bytes;
    trailing.insert(trailing.end(), {0x00, 0x11, 0xFF, 0xD8, 0xFF});
    EXPECT_EQ(jpeg_truncation(trailing), "") << e;
  }
  EXPECT_EQ(jpeg_truncation(std::vector<std::uint8_t>{0x89, 'P', 'N', 'G'}), "");  // not a JPEG: not judged

  TempDir in;
  cv::imwrite((in / "a.jpg").string(), noise);
  write_truncated_copy(dir / "whole0.jpg", in / "b.jpg", 0.6);
  expect_read_skipping(in.path(), {"a.jpg"}, in / "b.jpg", "truncated JPEG");
}

// read_image decodes JPEGs from the bytes it checked; the EXIF orientation still applies as in imread.
TEST(ReadImage, JpegKeepsExifOrientationAndMissingFileIsNotFound) {
  TempDir dir;
  std::vector<std::uint8_t> plain;
  ASSERT_TRUE(cv::imencode(".jpg", color_image(40, 24), plain));
  // APP1 "Exif": little-endian TIFF header, one IFD entry: Orientation (0x0112) SHORT 1 = 6 (rotate 90 cw).
  const std::vector<std::uint8_t> app1 = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0,
                                          1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
  std::vector<std::uint8_t> rotated(plain.begin(), plain.begin() + 2);
  rotated.insert(rotated.end(), app1.begin(), app1.end());
  rotated.insert(rotated.end(), plain.begin() + 2, plain.end());
  const fs::path file = dir / "rotated.jpg";
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(rotated.data()), static_cast<std::streamsize>(rotated.size()));
  cv::Mat ours;
  ASSERT_OK(read_image(file, cv::IMREAD_COLOR, ours));
  const cv::Mat theirs = cv::imread(file.string(), cv::IMREAD_COLOR);
  EXPECT_EQ(ours.size(), cv::Size(24, 40));  // color_image(40, 24) is 40 wide: turned upright
  EXPECT_EQ(max_abs_diff(ours, theirs), 0.0);
  EXPECT_STATUS(read_image(dir / "missing.jpg", cv::IMREAD_COLOR, ours), not_found);
  EXPECT_STATUS(read_image(dir.path(), cv::IMREAD_COLOR, ours), io_error);
}

TEST(ImagesSource, LoopWrapsAndStopsWhenNothingIsReadable) {
  TempDir dir;
  cv::imwrite((dir / "a.png").string(), color_image(4, 4));
  cv::imwrite((dir / "b.png").string(), color_image(4, 4));
  auto src = make("images", {{"path", dir.path().string()}, {"loop", true}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_EQ(info.frame_count, -1);
  const auto frames = drain(*src, nullptr, 5);
  ASSERT_EQ(frames.size(), 5u);
  EXPECT_EQ(frames[4].source, "a.png");

  TempDir bad;
  write_corrupt_image(bad / "x.png");
  auto broken = make("images", {{"path", bad.path().string()}, {"loop", true}});
  ASSERT_OK(broken->open(info));
  std::vector<Status> errors;
  EXPECT_TRUE(drain(*broken, &errors, 100).empty());
  EXPECT_EQ(errors.size(), 1u) << "a loop over unreadable files must end, not spin";
  EXPECT_EQ(broken->take_warnings().size(), 1u);
}

TEST(ImagesSource, TimestampsFromFps) {
  TempDir dir;
  for (const char* n : {"a.png", "b.png", "c.png"}) cv::imwrite((dir / n).string(), gray_image(4, 4));
  auto src = make("images", {{"path", dir.path().string()}, {"fps", 4.0}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_DOUBLE_EQ(info.fps, 4.0);
  const auto frames = drain(*src);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[2].pts_ns, 500000000);
}

TEST(ImagesSource, MissingPathFailsAtOpen) {
  auto src = make("images", {{"path", std::string("/nonexistent/x/*.png")}});
  StreamInfo info;
  EXPECT_STATUS(src->open(info), not_found);
}

TEST(VideoSource, ReadsFramesWithTimestamps) {
  TempDir dir;
  write_test_video(dir / "clip.avi", 6, {64, 48}, 5.0);
  auto src = make("video", {{"path", (dir / "clip.avi").string()}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_NEAR(info.fps, 5.0, 0.01);
  EXPECT_EQ(info.size, cv::Size(64, 48));
  EXPECT_EQ(info.frame_count, 6);
  const auto frames = drain(*src);
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[0].source, "clip.avi");
  EXPECT_EQ(std::get<int64_t>(frames[5].meta.at("frame_index")), 5);
  for (size_t i = 1; i < frames.size(); ++i) EXPECT_GT(frames[i].pts_ns, frames[i - 1].pts_ns);
  EXPECT_NEAR(static_cast<double>(frames[5].pts_ns - frames[0].pts_ns), 1e9, 1e6);
  EXPECT_TRUE(src->take_warnings().empty());
}

TEST(VideoSource, LoopAndGray) {
  TempDir dir;
  write_test_video(dir / "clip.avi", 4, {32, 24});
  auto src = make("video", {{"path", (dir / "clip.avi").string()}, {"loop", true}, {"read", std::string("gray")}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  const auto frames = drain(*src, nullptr, 10);
  ASSERT_EQ(frames.size(), 10u);
  EXPECT_EQ(frames[9].image.type(), CV_8UC1);
  for (size_t i = 1; i < frames.size(); ++i) EXPECT_GT(frames[i].pts_ns, frames[i - 1].pts_ns);
}

TEST(VideoSource, TruncatedFileEndsEarlyWithAWarning) {
  const fs::path vtest = data_dir() / "vtest.avi";
  if (!fs::exists(vtest)) GTEST_SKIP() << "no " << vtest;
  TempDir dir;
  write_truncated_copy(vtest, dir / "cut.avi", 0.05);
  auto src = make("video", {{"path", (dir / "cut.avi").string()}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  std::vector<Status> errors;
  const auto frames = drain(*src, &errors);
  EXPECT_GT(frames.size(), 0u);
  EXPECT_LT(frames.size(), 200u);
  const auto warnings = src->take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("ended early"), std::string::npos) << warnings[0];
}

TEST(VideoSource, UndecodableFileIsAnError) {
  TempDir dir;
  { std::ofstream(dir / "junk.avi") << std::string(3000, 'x'); }
  auto src = make("video", {{"path", (dir / "junk.avi").string()}});
  StreamInfo info;
  Status st = src->open(info);
  if (st.ok()) {
    Frame f;
    st = src->read(f);
  }
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("junk.avi"), std::string::npos) << st.message();
}

bool gstreamer_available() {
  if (!cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER)) return false;
  const auto r = run_process({"/usr/bin/gst-inspect-1.0", "videotestsrc"}, with_timeout(20));
  return r.exit_code == 0;
}

TEST(GstreamerSource, TestPattern) {
  if (!gstreamer_available()) GTEST_SKIP() << "GStreamer or its videotestsrc element is not available";
  auto src = make("gstreamer", {{"pipeline", std::string("videotestsrc num-buffers=7 ! video/x-raw,width=64,height=48 ! videoconvert ! appsink")}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  const auto frames = drain(*src);
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(frames[0].image.size(), cv::Size(64, 48));
  EXPECT_EQ(frames[0].image.type(), CV_8UC3);
}

TEST(GstreamerSource, AppsinkIsAddedWhenMissing) {
  if (!gstreamer_available()) GTEST_SKIP() << "GStreamer or its videotestsrc element is not available";
  auto src = make("gstreamer", {{"pipeline", std::string("videotestsrc num-buffers=3")}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_EQ(drain(*src).size(), 3u);
}

TEST(GstreamerSource, BadPipelineIsAnError) {
  auto src = make("gstreamer", {{"pipeline", std::string("nosuchelement ! appsink")}});
  StreamInfo info;
  const Status st = src->open(info);
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("gstreamer"), std::string::npos) << st.message();
}

TEST(StreamSource, ReadsAnythingFfmpegOpens) {
  TempDir dir;
  write_test_video(dir / "clip.avi", 5, {32, 24});
  auto src = make("stream", {{"url", (dir / "clip.avi").string()}, {"live", false}});
  StreamInfo info;
  ASSERT_OK(src->open(info));
  EXPECT_EQ(drain(*src).size(), 5u);
}

TEST(StreamSource, UnreachableServerFailsWithinTheTimeout) {
  auto src = make("stream", {{"url", std::string("rtsp://127.0.0.1:1/none")}, {"timeout_ms", int64_t{2000}}});
  StreamInfo info;
  const auto t0 = std::chrono::steady_clock::now();
  const Status st = src->open(info);
  EXPECT_STATUS(st, io_error);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30.0);
}

TEST(CameraSource, MissingDeviceIsAnError) {
  auto src = make("camera", {{"device", std::string("/dev/video97")}});
  StreamInfo info;
  const Status st = src->open(info);
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("/dev/video97"), std::string::npos) << st.message();
  SourceSpec bad;
  bad.type = "camera";
  bad.options.set("device", std::string("front"));
  fill_defaults(*io::source_params("camera"), bad.options);
  std::unique_ptr<io::Source> out;
  EXPECT_STATUS(io::make_source(bad, out), invalid_argument);
}

}  // namespace
}  // namespace cvpipe::test
