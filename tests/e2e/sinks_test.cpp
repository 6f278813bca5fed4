// Built-in sinks, in process: images (names, formats, atomic writes), video (codecs, partial
// file, sizes), jsonl (the exact docs/cli.md line format), window without a display, null; and the
// atomic-file helpers they share.
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "io/atomic_file.hpp"
#include "io/frame_json.hpp"
#include "io/io.hpp"
#include "schema.hpp"
#include "cvpipe/testing/images.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::unique_ptr<io::Sink> make(const std::string& type, const std::vector<std::pair<std::string, ParamValue>>& options) {
  SinkSpec spec;
  spec.type = type;
  for (const auto& [k, v] : options) spec.options.set(k, v);
  fill_defaults(*io::sink_params(type), spec.options);
  std::unique_ptr<io::Sink> sink;
  EXPECT_OK(io::make_sink(spec, sink));
  return sink;
}

Frame numbered(cv::Mat image, std::string source, int64_t seq) { return make_frame(std::move(image), std::move(source), seq); }

TEST(ImagesSink, NamesFromSourceOrSeq) {
  TempDir dir;
  const fs::path out = dir / "nested/out";
  auto sink = make("images", {{"path", out.string()}});
  ASSERT_OK(sink->open({}));
  ASSERT_OK(sink->write(numbered(color_image(8, 6), "fruits.jpg", 0)));
  ASSERT_OK(sink->write(numbered(color_image(8, 6), "", 7)));
  ASSERT_OK(sink->write(numbered(color_image(8, 6), "fruits.jpg", 9)));  // same name again: not overwritten
  Frame video = numbered(color_image(8, 6), "vtest.avi", 3);
  video.meta["frame_index"] = int64_t{12};
  ASSERT_OK(sink->write(video));
  ASSERT_OK(sink->close());
  EXPECT_EQ(list_files(out), (std::vector<std::string>{"frame_000007.png", "fruits.png", "fruits_000009.png", "vtest_000012.png"}));
  EXPECT_EQ(sink->written(), 4);
  const cv::Mat back = cv::imread((out / "fruits.png").string(), cv::IMREAD_UNCHANGED);
  EXPECT_EQ(max_abs_diff(back, color_image(8, 6)), 0.0) << "png is lossless";
}

TEST(ImagesSink, SeqNamesFormatsAndDepths) {
  TempDir dir;
  auto jpg = make("images", {{"path", dir.path().string()}, {"ext", std::string("jpg")}, {"name", std::string("seq")},
                             {"jpeg_quality", int64_t{80}}});
  ASSERT_OK(jpg->open({}));
  ASSERT_OK(jpg->write(numbered(color_image(16, 16, CV_16U), "a.png", 2)));
  ASSERT_OK(jpg->close());
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"frame_000002.jpg"});
  EXPECT_EQ(cv::imread((dir / "frame_000002.jpg").string(), cv::IMREAD_UNCHANGED).type(), CV_8UC3);

  TempDir deep;
  auto png = make("images", {{"path", deep.path().string()}});
  ASSERT_OK(png->open({}));
  ASSERT_OK(png->write(numbered(gray_image(16, 16, CV_16U), "d.tif", 0)));
  EXPECT_EQ(cv::imread((deep / "d.png").string(), cv::IMREAD_UNCHANGED).type(), CV_16UC1) << "png keeps 16 bits";
}

TEST(ImagesSink, EmptyImageIsAnErrorAndWritesNothing) {
  TempDir dir;
  auto sink = make("images", {{"path", dir.path().string()}});
  ASSERT_OK(sink->open({}));
  EXPECT_STATUS(sink->write(numbered(cv::Mat(), "x.png", 4)), invalid_argument);
  EXPECT_TRUE(list_files(dir.path()).empty());
}

TEST(ImagesSink, FolderThatIsAFileFailsAtOpen) {
  TempDir dir;
  { std::ofstream(dir / "file") << "x"; }
  auto sink = make("images", {{"path", (dir / "file").string()}});
  const Status st = sink->open({});
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("file"), std::string::npos) << st.message();
}

TEST(VideoSink, WritesAPlayableFileViaAPartialName) {
  TempDir dir;
  const fs::path out = dir / "clip.mp4";
  auto sink = make("video", {{"path", out.string()}, {"fps", 12.0}});
  ASSERT_OK(sink->open({}));
  for (int i = 0; i < 12; ++i) {
    // Odd size, a different size and a gray frame: all become the first frame's (even) size.
    const cv::Mat img = i == 5 ? color_image(40, 30) : i == 6 ? gray_image(65, 47) : color_image(65, 47);
    ASSERT_OK(sink->write(numbered(img, "x", i)));
  }
  EXPECT_FALSE(fs::exists(out)) << "the final name appears only when the file is complete";
  EXPECT_TRUE(fs::exists(dir / "clip.partial.mp4"));
  ASSERT_OK(sink->close());
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"clip.mp4"});
  EXPECT_EQ(count_video_frames(out), 12);
  cv::VideoCapture cap(out.string());
  EXPECT_EQ(cap.get(cv::CAP_PROP_FRAME_WIDTH), 64);
  EXPECT_EQ(cap.get(cv::CAP_PROP_FRAME_HEIGHT), 46);
  EXPECT_NEAR(cap.get(cv::CAP_PROP_FPS), 12.0, 0.01);
}

TEST(VideoSink, EveryContainer) {
  for (const char* name : {"a.avi", "a.mkv", "a.webm", "a.mov"}) {
    SCOPED_TRACE(name);
    TempDir dir;
    auto sink = make("video", {{"path", (dir / name).string()}});
    StreamInfo info;
    info.fps = 7;
    ASSERT_OK(sink->open(info));
    for (int i = 0; i < 4; ++i) ASSERT_OK(sink->write(numbered(color_image(32, 24, CV_8U, i + 1), "x", i)));
    ASSERT_OK(sink->close());
    EXPECT_EQ(count_video_frames(dir / name), 4);
    cv::VideoCapture cap((dir / name).string());
    EXPECT_NEAR(cap.get(cv::CAP_PROP_FPS), 7.0, 0.01) << "fps from the source when not set";
  }
}

TEST(VideoSink, NoFramesNoFile) {
  TempDir dir;
  auto sink = make("video", {{"path", (dir / "none.mp4").string()}});
  ASSERT_OK(sink->open({}));
  ASSERT_OK(sink->close());
  EXPECT_TRUE(list_files(dir.path()).empty());
  EXPECT_EQ(sink->take_warnings().size(), 1u);
}

TEST(VideoSink, BadCodecOrExtensionFailsAtOpen) {
  TempDir dir;
  EXPECT_STATUS(make("video", {{"path", (dir / "a.xyz").string()}})->open({}), invalid_argument);
  EXPECT_STATUS(make("video", {{"path", (dir / "a.mp4").string()}, {"codec", std::string("h264x")}})->open({}),
                invalid_argument);
  auto odd = make("video", {{"path", (dir / "a.webm").string()}, {"codec", std::string("ZZZZ")}});
  ASSERT_OK(odd->open({}));
  const Status st = odd->write(numbered(color_image(16, 16), "x", 0));
  EXPECT_STATUS(st, io_error);
  EXPECT_NE(st.message().find("ZZZZ"), std::string::npos) << st.message();
  EXPECT_OK(odd->close());
  EXPECT_TRUE(list_files(dir.path()).empty()) << "no partial file is left behind";
}

TEST(FrameJson, ExactlyTheDocumentedLine) {
  Frame f = numbered(cv::Mat(480, 512, CV_8UC3), "fruits.jpg", 0);
  f.labels.push_back(Label{3, "3", 0.98f});
  f.detections.push_back(Detection{cv::Rect2f(1, 2, 3.5f, 4), 7, "7", 0.91f});
  f.meta["k"] = std::string("v");
  EXPECT_EQ(io::frame_to_json_line(f),
            R"({"seq":0,"pts_ns":0,"source":"fruits.jpg","width":512,"height":480,)"
            R"("labels":[{"id":3,"name":"3","score":0.98}],)"
            R"("detections":[{"box":[1.0,2.0,3.5,4.0],"class_id":7,"label":"7","score":0.91}]})");
  EXPECT_NE(io::frame_to_json_line(f, true).find(R"("meta":{"k":"v"})"), std::string::npos);
  f.detections[0].track_id = 12;  // a tracked detection also carries its id
  EXPECT_NE(io::frame_to_json_line(f).find(R"("label":"7","score":0.91,"track_id":12})"), std::string::npos);
  Frame empty;
  EXPECT_EQ(io::frame_to_json_line(empty),
            R"({"seq":0,"pts_ns":0,"source":"","width":0,"height":0,"labels":[],"detections":[]})");
}

TEST(JsonlSink, OneLinePerFrameCommittedOnClose) {
  TempDir dir;
  const fs::path out = dir / "sub/frames.jsonl";
  auto sink = make("jsonl", {{"path", out.string()}});
  ASSERT_OK(sink->open({}));
  for (int i = 0; i < 3; ++i) ASSERT_OK(sink->write(numbered(color_image(4, 2), "f" + std::to_string(i) + ".png", i)));
  EXPECT_FALSE(fs::exists(out));
  ASSERT_OK(sink->close());
  std::ifstream in(out);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["seq"], n);
    EXPECT_EQ(j["width"], 4);
    EXPECT_EQ(j["source"], "f" + std::to_string(n) + ".png");
    ++n;
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(list_files(out.parent_path()), std::vector<std::string>{"frames.jsonl"});
}

TEST(WindowSink, WithoutADisplayWarnsAndDiscards) {
  const char* display = std::getenv("DISPLAY");
  const std::string saved = display ? display : "";
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  const std::string saved_w = wayland ? wayland : "";
  const char* qpa = std::getenv("QT_QPA_PLATFORM");
  const std::string saved_q = qpa ? qpa : "";
  ::unsetenv("DISPLAY");
  ::unsetenv("WAYLAND_DISPLAY");
  ::unsetenv("QT_QPA_PLATFORM");
  auto sink = make("window", {});
  const Status open = sink->open({});
  const Status write = sink->write(numbered(color_image(8, 8), "x", 0));
  const Status close = sink->close();
  if (!saved.empty()) ::setenv("DISPLAY", saved.c_str(), 1);
  if (!saved_w.empty()) ::setenv("WAYLAND_DISPLAY", saved_w.c_str(), 1);
  if (!saved_q.empty()) ::setenv("QT_QPA_PLATFORM", saved_q.c_str(), 1);
  EXPECT_OK(open);
  EXPECT_OK(write);
  EXPECT_OK(close);
  EXPECT_EQ(sink->written(), 0);
  const auto warnings = sink->take_warnings();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("display"), std::string::npos) << warnings[0];
}

TEST(NullSink, CountsAndDiscards) {
  auto sink = make("null", {});
  ASSERT_OK(sink->open({}));
  ASSERT_OK(sink->write(numbered(color_image(4, 4), "x", 0)));
  ASSERT_OK(sink->write(numbered(cv::Mat(), "y", 1)));
  ASSERT_OK(sink->close());
  EXPECT_EQ(sink->written(), 2);
}

TEST(AtomicFile, WritesThroughAHiddenTempName) {
  TempDir dir;
  const fs::path target = dir / "a.png";
  const fs::path temp = io::temp_path_for(target);
  EXPECT_EQ(temp.parent_path(), dir.path());
  EXPECT_EQ(temp.filename().string()[0], '.');
  EXPECT_EQ(temp.extension(), ".png");
  EXPECT_NE(io::temp_path_for(target), temp) << "unique per call";
  EXPECT_EQ(io::partial_path_for(dir / "v.mp4"), dir / "v.partial.mp4");
  const std::string data = "hello";
  ASSERT_OK(io::write_file_atomic(target, data.data(), data.size()));
  ASSERT_OK(io::write_file_atomic(target, data.data(), 2));
  EXPECT_EQ(read_text(target), "he");
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"a.png"});
  EXPECT_STATUS(io::write_file_atomic(dir / "missing/x.png", data.data(), data.size()), io_error);
  EXPECT_EQ(list_files(dir.path()), std::vector<std::string>{"a.png"});
}

}  // namespace
}  // namespace cvpipe::test
