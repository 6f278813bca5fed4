// User path = measured path, inpaint: crops of photos held out from training, saved as PNG files,
// and the masks `cvpipe eval inpaint --masks DIR` drew for them (one <name>.png per image) go
// through configs/inpaint.yaml (`--input clean/ --set stages.inpaint.mask_dir=masks`); the hole
// PSNR of the outputs equals what the eval reports, within 0.01 dB, and known pixels come out
// unchanged bit for bit.
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "user_path.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

TEST(UserPath, InpaintPhotosAndMaskFiles) {
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  const std::vector<std::string> names = {"a_baboon.png", "b_fruits.png"};
  const std::vector<std::string> photos = {"baboon.jpg", "fruits.jpg"};  // held out from training
  fs::create_directories(dir / "clean");
  for (size_t i = 0; i < names.size(); ++i) {
    const cv::Mat img = cv::imread((data_dir() / photos[i]).string(), cv::IMREAD_COLOR);
    ASSERT_FALSE(img.empty()) << photos[i];
    const cv::Rect centre((img.cols - 160) / 2, (img.rows - 128) / 2, 160, 128);
    ASSERT_TRUE(cv::imwrite((dir / "clean" / names[i]).string(), img(centre)));
  }
  const nlohmann::json eval = eval_json("inpaint", {"--images", "clean", "--seed", "0", "--masks", "masks"}, dir.path());
  ASSERT_TRUE(eval.is_object());
  ASSERT_EQ(eval.value("n", 0), 2) << eval.dump();

  ASSERT_TRUE(run_shipped_config("inpaint.yaml", "clean", "out", {"--set", "stages.inpaint.mask_dir=masks"}, dir.path()));
  double sum = 0;
  for (const auto& name : names) {
    const cv::Mat clean = cv::imread((dir / "clean" / name).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat out = cv::imread((dir / "out" / name).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat mask = cv::imread((dir / "masks" / name).string(), cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(out.empty()) << "no output " << name;
    ASSERT_FALSE(mask.empty()) << "no mask " << name;
    ASSERT_EQ(out.type(), clean.type()) << name;
    cv::Mat diff, gray;
    cv::absdiff(out, clean, diff);
    cv::cvtColor(diff, gray, cv::COLOR_BGR2GRAY);
    EXPECT_EQ(cv::countNonZero(gray & (mask == 0)), 0) << name << ": known pixels changed";
    cv::Mat a, b;
    out.convertTo(a, CV_64F);
    clean.convertTo(b, CV_64F);
    const double sse = std::pow(cv::norm(a, b, cv::NORM_L2, mask), 2.0);
    const double mse = sse / (3.0 * cv::countNonZero(mask));
    sum += 10.0 * std::log10(255.0 * 255.0 / mse);
  }
  EXPECT_NEAR(sum / 2.0, eval.at("hole_psnr").get<double>(), 0.01) << eval.dump();
}

}  // namespace
}  // namespace cvpipe::test
