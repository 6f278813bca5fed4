// User path = measured path, colorize and translate.
// Colorize: centre crops of photos held out from training, made gray the way `cvpipe eval
// colorize` makes them (L of Lab with a = b = 0, one channel) and saved as PNG, through
// configs/colorize.yaml (`--input gray/`) reach the PSNR and colourfulness the eval reports on the
// colour crops. The config also takes video frames. Translate: the same crops and their
// night_style versions (made by a pipeline) as a/ b/ pairs; configs/translate_night.yaml on a/
// reaches the PSNR `cvpipe eval translate --pairs` reports.
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kNames = {"a_baboon.png", "b_butterfly.png", "c_fruits.png"};
const std::vector<std::string> kPhotos = {"baboon.jpg", "butterfly.jpg", "fruits.jpg"};  // held out from training

// Centre crops (odd sizes on purpose) of the held-out photos as truth/<name>.
void write_crops(const fs::path& dir) {
  fs::create_directories(dir);
  for (size_t i = 0; i < kNames.size(); ++i) {
    const cv::Mat c = cv::imread((data_dir() / kPhotos[i]).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(c.empty()) << kPhotos[i];
    const cv::Rect centre((c.cols - 201) / 2, (c.rows - 163) / 2, 201, 163);
    ASSERT_TRUE(cv::imwrite((dir / kNames[i]).string(), c(centre)));
  }
}

// The grayscale picture `cvpipe eval colorize` feeds the network: L with a = b = 0, one channel.
cv::Mat grayscale_picture(const cv::Mat& bgr) {
  cv::Mat f, lab, back, out8, g;
  bgr.convertTo(f, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  std::vector<cv::Mat> p;
  cv::split(lab, p);
  p[1].setTo(0);
  p[2].setTo(0);
  cv::merge(p, lab);
  cv::cvtColor(lab, back, cv::COLOR_Lab2BGR);
  back.convertTo(out8, CV_8UC3, 255.0);
  cv::extractChannel(out8, g, 1);
  return g;
}

// Hasler & Suesstrunk colourfulness of an 8-bit BGR image.
double colorfulness(const cv::Mat& bgr) {
  cv::Mat f;
  bgr.convertTo(f, CV_64FC3);
  std::vector<cv::Mat> c;
  cv::split(f, c);
  const cv::Mat rg = c[2] - c[1], yb = 0.5 * (c[2] + c[1]) - c[0];
  cv::Scalar m1, s1, m2, s2;
  cv::meanStdDev(rg, m1, s1);
  cv::meanStdDev(yb, m2, s2);
  return std::sqrt(s1[0] * s1[0] + s2[0] * s2[0]) + 0.3 * std::sqrt(m1[0] * m1[0] + m2[0] * m2[0]);
}

TEST(UserPath, ColorizeGrayPhotosAsFiles) {
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  write_crops(dir / "truth");
  fs::create_directories(dir / "gray");
  for (const auto& name : kNames) {
    ASSERT_TRUE(cv::imwrite((dir / "gray" / name).string(), grayscale_picture(cv::imread((dir / "truth" / name).string()))));
  }
  const nlohmann::json eval = eval_json("colorize", {"--images", "truth"}, dir.path());
  ASSERT_TRUE(eval.is_object());
  ASSERT_EQ(eval.value("n", 0), 3) << eval.dump();

  ASSERT_TRUE(run_shipped_config("colorize.yaml", "gray", "out", {}, dir.path()));
  double psnr = 0, colour = 0;
  for (const auto& name : kNames) {
    const cv::Mat truth = cv::imread((dir / "truth" / name).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat out = cv::imread((dir / "out" / name).string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(out.type(), CV_8UC3) << name << ": a gray file comes out in colour";
    ASSERT_EQ(out.size(), truth.size()) << name;
    psnr += cv::PSNR(out, truth) / kNames.size();
    colour += colorfulness(out) / kNames.size();
  }
  EXPECT_NEAR(psnr, eval.at("psnr").get<double>(), 0.01) << eval.dump();
  EXPECT_NEAR(colour, eval.at("colorfulness").get<double>(), 0.05) << eval.dump();
  EXPECT_GT(colour, 3.0) << "the shipped model colours gray pictures: " << eval.dump();
}

TEST(UserPath, ColorizeVideoFrames) {
  CVPIPE_SAMPLE_OR_SKIP(video, "vtest.avi");
  TempDir dir;
  ASSERT_TRUE(run_shipped_config("colorize.yaml", (data_dir() / "vtest.avi").string(), "frames", {"--max-frames", "2"}, dir.path()));
  int frames = 0;
  for (const auto& e : fs::directory_iterator(dir / "frames")) {
    const cv::Mat f = cv::imread(e.path().string(), cv::IMREAD_UNCHANGED);
    EXPECT_EQ(f.type(), CV_8UC3) << e.path();
    ++frames;
  }
  EXPECT_EQ(frames, 2);
}

TEST(UserPath, TranslateNightPairsAsFiles) {
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  write_crops(dir / "pairs" / "a");
  write_file(dir / "night.yaml",
             "source: {type: images, path: pairs/a}\n"
             "stages: [{stage: night_style}]\n"
             "sinks: [{type: images, path: pairs/b}]\n");
  const ProcessResult night = cvpipe({"run", "night.yaml", "--quiet"}, dir.path());
  ASSERT_EQ(night.exit_code, 0) << night.describe();

  const nlohmann::json eval = eval_json("translate", {"--pairs", "pairs"}, dir.path());
  ASSERT_TRUE(eval.is_object());
  ASSERT_EQ(eval.value("n", 0), 3) << eval.dump();
  ASSERT_TRUE(run_shipped_config("translate_night.yaml", "pairs/a", "out", {}, dir.path()));
  double psnr = 0;
  for (const auto& name : kNames) {
    const cv::Mat b = cv::imread((dir / "pairs" / "b" / name).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat out = cv::imread((dir / "out" / name).string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(out.size(), b.size()) << name;
    psnr += cv::PSNR(out, b) / kNames.size();
  }
  EXPECT_NEAR(psnr, eval.at("psnr").get<double>(), 0.01) << eval.dump();
  EXPECT_GT(eval.at("psnr").get<double>(), eval.at("psnr_identity").get<double>() + 5.0) << eval.dump();
}

}  // namespace
}  // namespace cvpipe::test
