// User path = measured path, denoise: crops of photos held out from training, given seeded noise
// of sigma 25 by the add_noise stage (the noise `cvpipe eval denoise` draws: the same generator
// and per-image stream) and saved as PNG files, through configs/denoise.yaml
// (`--input noisy/ --set stages.denoise.sigma=25`) reach the PSNR `cvpipe eval denoise` measures on
// the same crops, within 0.01 dB: gray files, and gray pictures saved as 3-channel files, both
// take the gray model.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

// Mean PSNR (dB, 8-bit) of out/<name> against clean/<name> over `names`; out files may be gray
// stored as BGR (three equal channels are required then).
double mean_psnr(const fs::path& out, const fs::path& clean, const std::vector<std::string>& names) {
  double sum = 0;
  for (const auto& name : names) {
    const cv::Mat ref = cv::imread((clean / name).string(), cv::IMREAD_UNCHANGED);
    cv::Mat got = cv::imread((out / name).string(), cv::IMREAD_UNCHANGED);
    EXPECT_FALSE(got.empty()) << "no output " << out / name;
    if (got.empty()) return 0;
    if (got.channels() == 3) {
      std::vector<cv::Mat> ch;
      cv::split(got, ch);
      EXPECT_EQ(cv::norm(ch[0], ch[1], cv::NORM_INF) + cv::norm(ch[0], ch[2], cv::NORM_INF), 0.0) << name << ": channels differ";
      got = ch[0];
    }
    EXPECT_EQ(got.type(), CV_8UC1) << name;
    sum += cv::PSNR(got, ref);
  }
  return sum / static_cast<double>(names.size());
}

TEST(UserPath, DenoiseGrayPhotosAsFiles) {
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  const std::vector<std::string> names = {"a_baboon.png", "b_butterfly.png", "c_fruits.png"};
  const std::vector<std::string> photos = {"baboon.jpg", "butterfly.jpg", "fruits.jpg"};  // held out from training
  for (size_t i = 0; i < names.size(); ++i) {
    const cv::Mat g = cv::imread((data_dir() / photos[i]).string(), cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(g.empty()) << photos[i];
    const cv::Rect centre((g.cols - 192) / 2, (g.rows - 160) / 2, 192, 160);
    fs::create_directories(dir / "clean");
    ASSERT_TRUE(cv::imwrite((dir / "clean" / names[i]).string(), g(centre)));
  }
  write_file(dir / "noise.yaml",
             "source: {type: images, path: clean}\n"
             "stages: [{stage: add_noise, params: {sigma: 25, seed: 0, keep_original: false}}]\n"
             "sinks: [{type: images, path: noisy}]\n");
  const ProcessResult noise = cvpipe({"run", "noise.yaml", "--quiet"}, dir.path());
  ASSERT_EQ(noise.exit_code, 0) << noise.describe();
  fs::create_directories(dir / "noisy_bgr");
  for (const auto& name : names) {
    const cv::Mat noisy = cv::imread((dir / "noisy" / name).string(), cv::IMREAD_UNCHANGED);
    ASSERT_EQ(noisy.type(), CV_8UC1) << "a gray picture stays gray through the images source and sink";
    cv::Mat bgr;
    cv::cvtColor(noisy, bgr, cv::COLOR_GRAY2BGR);
    ASSERT_TRUE(cv::imwrite((dir / "noisy_bgr" / name).string(), bgr));
  }

  const nlohmann::json eval = eval_json("denoise", {"--images", "clean", "--sigma", "25", "--seed", "0"}, dir.path());
  ASSERT_TRUE(eval.is_object());
  ASSERT_EQ(eval.value("n", 0), 3) << eval.dump();
  const double eval_psnr = eval.at("psnr").get<double>(), nlmeans = eval.at("psnr_nlmeans").get<double>();

  ASSERT_TRUE(run_shipped_config("denoise.yaml", "noisy", "out", {"--set", "stages.denoise.sigma=25"}, dir.path()));
  EXPECT_NEAR(mean_psnr(dir / "out", dir / "clean", names), eval_psnr, 0.01) << eval.dump();
  ASSERT_TRUE(run_shipped_config("denoise.yaml", "noisy_bgr", "out_bgr", {"--set", "stages.denoise.sigma=25"}, dir.path()));
  EXPECT_NEAR(mean_psnr(dir / "out_bgr", dir / "clean", names), eval_psnr, 0.01) << "gray saved as BGR; " << eval.dump();
  EXPECT_GT(eval_psnr, nlmeans + 1.0) << "the gray model beats NL-means: " << eval.dump();
}

}  // namespace
}  // namespace cvpipe::test
