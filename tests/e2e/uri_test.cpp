// io::source_from_uri / io::sink_from_path: every URI form maps to the right type with complete,
// resolved options; bad URIs and paths are clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/data.hpp"
#include "io/io.hpp"
#include "schema.hpp"
#include "cvpipe/testing/images.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

TEST(SourceFromUri, ImagesFileFolderAndGlob) {
  TempDir dir;
  cv::imwrite((dir / "a.png").string(), color_image(8, 8));
  cv::imwrite((dir / "b.jpg").string(), color_image(8, 8));
  for (const std::string& uri : {(dir / "a.png").string(), dir.path().string(), (dir / "*.jpg").string(),
                                "file://" + (dir / "a.png").string()}) {
    SCOPED_TRACE(uri);
    SourceSpec s;
    ASSERT_OK(io::source_from_uri(uri, s));
    EXPECT_EQ(s.type, "images");
    EXPECT_TRUE(s.options.has("loop")) << "defaults are filled";
    EXPECT_TRUE(s.options.has("read"));
    EXPECT_TRUE(fs::path(s.options.get_string("path")).is_absolute());
  }
}

TEST(SourceFromUri, RelativePathsResolveAgainstTheWorkingDirectory) {
  SourceSpec s;
  const fs::path cwd = fs::current_path();
  TempDir dir;
  cv::imwrite((dir / "x.png").string(), color_image(4, 4));
  fs::current_path(dir.path());
  const Status st = io::source_from_uri("x.png", s);
  fs::current_path(cwd);
  ASSERT_OK(st);
  EXPECT_EQ(s.options.get_string("path"), (dir / "x.png").string());
}

TEST(SourceFromUri, VideoByExtension) {
  const fs::path video = data_dir() / "vtest.avi";
  if (!fs::exists(video)) GTEST_SKIP() << "no " << video;
  SourceSpec s;
  ASSERT_OK(io::source_from_uri(video.string(), s));
  EXPECT_EQ(s.type, "video");
  EXPECT_EQ(s.options.get_string("path"), video.string());
  EXPECT_STATUS(io::source_from_uri("/nonexistent/clip.mp4", s), not_found);
}

TEST(SourceFromUri, DevicesPipelinesAndStreams) {
  SourceSpec s;
  ASSERT_OK(io::source_from_uri("camera:1", s));
  EXPECT_EQ(s.type, "camera");
  EXPECT_EQ(s.options.get_string("device"), "1");
  ASSERT_OK(io::source_from_uri("/dev/video3", s));
  EXPECT_EQ(s.type, "camera");
  EXPECT_EQ(s.options.get_string("device"), "/dev/video3");
  ASSERT_OK(io::source_from_uri("gst:videotestsrc ! appsink", s));
  EXPECT_EQ(s.type, "gstreamer");
  EXPECT_EQ(s.options.get_string("pipeline"), "videotestsrc ! appsink");
  for (const char* url : {"rtsp://cam.local/stream", "http://host:8080/v.mjpg", "https://h/x.m3u8"}) {
    ASSERT_OK(io::source_from_uri(url, s));
    EXPECT_EQ(s.type, "stream");
    EXPECT_EQ(s.options.get_string("url"), url);
    EXPECT_TRUE(s.options.has("timeout_ms"));
  }
}

TEST(SourceFromUri, Errors) {
  SourceSpec s;
  EXPECT_STATUS(io::source_from_uri("", s), invalid_argument);
  EXPECT_STATUS(io::source_from_uri("gst:", s), invalid_argument);
  EXPECT_STATUS(io::source_from_uri("camera:abc", s), invalid_argument);
  const Status scheme = io::source_from_uri("ftp://host/x", s);
  EXPECT_STATUS(scheme, invalid_argument);
  EXPECT_NE(scheme.message().find("rtsp://"), std::string::npos) << scheme.message();
  EXPECT_STATUS(io::source_from_uri("/nonexistent/folder", s), not_found);
  TempDir empty;
  const Status nothing = io::source_from_uri((empty / "*.png").string(), s);
  EXPECT_STATUS(nothing, not_found);
  EXPECT_NE(nothing.message().find("*.png"), std::string::npos) << nothing.message();
  const Status empty_folder = io::source_from_uri(empty.path().string(), s);
  EXPECT_STATUS(empty_folder, not_found);
  EXPECT_NE(empty_folder.message().find("no image files"), std::string::npos) << empty_folder.message();
}

TEST(SinkFromPath, FolderVideoJsonl) {
  SinkSpec s;
  ASSERT_OK(io::sink_from_path("out/frames", s));
  EXPECT_EQ(s.type, "images");
  EXPECT_TRUE(fs::path(s.options.get_string("path")).is_absolute());
  EXPECT_EQ(s.options.get_string("ext"), "png");
  for (const char* v : {"o.mp4", "o.AVI", "o.mkv", "o.webm", "o.mov"}) {
    ASSERT_OK(io::sink_from_path(v, s));
    EXPECT_EQ(s.type, "video") << v;
  }
  ASSERT_OK(io::sink_from_path("x/frames.jsonl", s));
  EXPECT_EQ(s.type, "jsonl");
  ASSERT_OK(io::sink_from_path("null:", s));
  EXPECT_EQ(s.type, "null");
}

TEST(SinkFromPath, Errors) {
  SinkSpec s;
  EXPECT_STATUS(io::sink_from_path("", s), invalid_argument);
  EXPECT_STATUS(io::sink_from_path("out.png", s), invalid_argument);
  EXPECT_STATUS(io::sink_from_path("clip.wmv", s), invalid_argument);
  EXPECT_STATUS(io::sink_from_path("rtsp://x/y", s), invalid_argument);
  TempDir dir;
  { std::ofstream((dir / "plain").string()) << "x"; }
  EXPECT_STATUS(io::sink_from_path((dir / "plain").string(), s), invalid_argument);
}

TEST(IoSchemas, EveryTypeHasAWellFormedSchema) {
  for (const auto& t : io::source_types()) {
    const auto* schema = io::source_params(t);
    ASSERT_NE(schema, nullptr) << t;
    EXPECT_EQ(check_schema(*schema), "") << t;
    for (const auto& p : *schema) EXPECT_FALSE(p.doc.empty()) << t << "." << p.name;
  }
  for (const auto& t : io::sink_types()) {
    const auto* schema = io::sink_params(t);
    ASSERT_NE(schema, nullptr) << t;
    EXPECT_EQ(check_schema(*schema), "") << t;
    for (const auto& p : *schema) EXPECT_FALSE(p.doc.empty()) << t << "." << p.name;
  }
  EXPECT_EQ(io::source_params("nope"), nullptr);
  EXPECT_EQ(io::sink_params("nope"), nullptr);
}

}  // namespace
}  // namespace cvpipe::test
