// Gray files stay 1-channel frames under the images source's default (`read: auto`); every
// shipped config that takes --input and every file sink kind handle them: the demo (resize,
// nlmeans, draw, grid contact sheet -> images + jsonl), classify (-> labelled images and a video),
// denoise (gray stays gray), blur into a video (1-channel frames converted by the video sink).
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "cvpipe/testing/images.hpp"
#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

int video_frames(const fs::path& file) {
  cv::VideoCapture cap(file.string());
  int n = 0;
  for (cv::Mat f; cap.read(f);) ++n;
  return n;
}

TEST(UserPath, GrayFilesThroughTheShippedConfigs) {
  TempDir dir;
  fs::create_directories(dir / "gray");
  const std::vector<std::string> names = {"g1", "g2", "g3"};
  for (size_t i = 0; i < names.size(); ++i)
    ASSERT_TRUE(cv::imwrite((dir / "gray" / (names[i] + ".png")).string(), gray_image(64 + 2 * static_cast<int>(i), 48, CV_8U, i + 1)));

  ASSERT_TRUE(run_shipped_config("demo.yaml", "gray", "demo", {"--set", "sinks.1.path=demo.jsonl"}, dir.path()));
  EXPECT_EQ(list_files(dir / "demo"), (std::vector<std::string>{"contact_sheet_000000.jpg", "g1.jpg", "g2.jpg", "g3.jpg"}))
      << "three pictures and the contact sheet";
  EXPECT_EQ(read_jsonl(dir / "demo.jsonl").size(), 4u);

  ASSERT_TRUE(run_shipped_config("classify_digits.yaml", "gray", "classified", {}, dir.path()));
  EXPECT_EQ(list_files(dir / "classified"), (std::vector<std::string>{"g1.png", "g2.png", "g3.png"}));
  EXPECT_EQ(cv::imread((dir / "classified/g1.png").string(), cv::IMREAD_UNCHANGED).channels(), 3) << "labels drawn in colour";
  ASSERT_TRUE(run_shipped_config("classify_digits.yaml", "gray", "classified.mp4", {}, dir.path()));
  EXPECT_EQ(video_frames(dir / "classified.mp4"), 3);

  ASSERT_TRUE(run_shipped_config("denoise.yaml", "gray", "denoised", {"--set", "stages.denoise.sigma=10"}, dir.path()));
  for (const auto& name : names) {
    const cv::Mat out = cv::imread((dir / "denoised" / (name + ".png")).string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(out.type(), CV_8UC1) << name;
  }

  ASSERT_TRUE(run_shipped_config("blur.yaml", "gray", "blurred.mp4", {}, dir.path()));
  EXPECT_EQ(video_frames(dir / "blurred.mp4"), 3);
}

}  // namespace
}  // namespace cvpipe::test
