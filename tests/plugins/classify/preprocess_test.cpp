// Preprocessing: conversions, polarity detection, digit-cell normalisation, fitting, normalisation.
#include <opencv2/imgproc.hpp>

#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/classify/preprocess.hpp"
#include "test_util.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::classify {
namespace {

// A white-on-black "digit": a thick, soft ring (a zero) with the digits.png geometry (ink box
// about 15 px high, centred in a 20x20 cell).
cv::Mat synthetic_cell() {
  cv::Mat m = cv::Mat::zeros(20, 20, CV_8UC1);
  cv::ellipse(m, {10, 10}, {4, 6}, 0, 0, 360, cv::Scalar(255), 3, cv::LINE_AA);
  cv::GaussianBlur(m, m, cv::Size(0, 0), 0.7);
  return m;
}

double correlation(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat fa, fb;
  a.convertTo(fa, CV_64F);
  b.convertTo(fb, CV_64F);
  fa -= cv::mean(fa)[0];
  fb -= cv::mean(fb)[0];
  return fa.dot(fb) / std::sqrt(fa.dot(fa) * fb.dot(fb) + 1e-12);
}

TEST(ClassifyPreprocess, ToUnitConvertsDepthsAndChannels) {
  cv::Mat out;
  cv::Mat gray8(5, 7, CV_8UC1, cv::Scalar(255));
  ASSERT_OK(to_unit(gray8, 1, out));
  EXPECT_EQ(out.type(), CV_32FC1);
  EXPECT_FLOAT_EQ(out.at<float>(2, 3), 1.f);
  ASSERT_OK(to_unit(gray8, 3, out));
  EXPECT_EQ(out.type(), CV_32FC3);
  cv::Mat bgra(4, 4, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  ASSERT_OK(to_unit(bgra, 1, out));
  EXPECT_NEAR(out.at<float>(0, 0), 0.299f, 0.01f);  // pure red in gray
  cv::Mat g16(3, 3, CV_16UC1, cv::Scalar(65535 / 2));
  ASSERT_OK(to_unit(g16, 1, out));
  EXPECT_NEAR(out.at<float>(1, 1), 0.5f, 1e-3f);
  cv::Mat f32(3, 3, CV_32FC1, cv::Scalar(7.f));  // out of range: clipped
  ASSERT_OK(to_unit(f32, 1, out));
  EXPECT_FLOAT_EQ(out.at<float>(0, 0), 1.f);
  EXPECT_FALSE(to_unit(cv::Mat(), 1, out).ok());
  EXPECT_EQ(to_unit(cv::Mat(3, 3, CV_16SC1), 1, out).code(), StatusCode::unsupported);
  EXPECT_EQ(to_unit(cv::Mat(3, 3, CV_8UC2), 1, out).code(), StatusCode::unsupported);
}

TEST(ClassifyPreprocess, PolarityDetection) {
  cv::Mat cell;
  synthetic_cell().convertTo(cell, CV_32F, 1 / 255.0);
  EXPECT_FALSE(dark_on_light(cell));
  EXPECT_TRUE(dark_on_light(1.0 - cell));
  // A crop of a printed grid: dark grid lines along two sides fill half of the border, yet the
  // ink (lines + digit) stays the minority, so the light paper is recognised.
  cv::Mat page(60, 60, CV_32FC1, cv::Scalar(0.9));
  cv::ellipse(page, {30, 30}, {12, 18}, 0, 0, 360, cv::Scalar(0.15), 5, cv::LINE_AA);
  page(cv::Rect(0, 0, 3, 60)).setTo(0.1);
  page(cv::Rect(0, 0, 60, 3)).setTo(0.1);
  EXPECT_TRUE(dark_on_light(page));
  EXPECT_FALSE(dark_on_light(1.0 - page));
  EXPECT_FALSE(dark_on_light(cv::Mat(5, 5, CV_32FC1, cv::Scalar(0.5))));
}

TEST(ClassifyPreprocess, DigitCellGeometryMatchesDigitsPng) {
  // A large, off-centre ring becomes a cell with the digits.png geometry: centre of mass at
  // 9.85 and an Otsu ink box of about 14 px on its longer side.
  cv::Mat page = cv::Mat::zeros(90, 70, CV_8UC1);
  cv::ellipse(page, {20, 30}, {12, 20}, 0, 0, 360, cv::Scalar(255), 6, cv::LINE_AA);
  cv::Mat unit;
  page.convertTo(unit, CV_32F, 1 / 255.0);
  const cv::Mat n = normalize_digit(unit);
  ASSERT_EQ(n.size(), cv::Size(20, 20));
  const cv::Moments m = cv::moments(n);
  EXPECT_NEAR(m.m10 / m.m00, kDigitCentre, 0.05);
  EXPECT_NEAR(m.m01 / m.m00, kDigitCentre, 0.05);
  cv::Mat n8, mask;
  n.convertTo(n8, CV_8U, 255.0);
  cv::threshold(n8, mask, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  const cv::Rect box = cv::boundingRect(mask);
  EXPECT_NEAR(box.height, kDigitBox, 1.5);
  EXPECT_LT(box.width, box.height);  // aspect kept
  EXPECT_NEAR(static_cast<double>(box.width) / box.height, 32.0 / 46.0, 0.12);
}

TEST(ClassifyPreprocess, DarkOnLightPhotoMapsToTheCell) {
  // The cell's digit, inverted (dark ink on light paper), scaled up 6x, off-centre on a large
  // page with a gray cast and a speck of dirt: the mapping must recover the cell.
  cv::Mat cell8 = synthetic_cell(), cell;
  cell8.convertTo(cell, CV_32F, 1 / 255.0);
  cv::Mat big;
  cv::resize(cell8, big, {120, 120}, 0, 0, cv::INTER_CUBIC);
  cv::Mat page(300, 410, CV_8UC1, cv::Scalar(0));
  big.copyTo(page(cv::Rect(40, 150, 120, 120)));
  page.at<uchar>(10, 400) = 255;  // a speck
  cv::Mat photo = 230 - page * 0.8;  // light paper, dark ink
  cv::Mat color;
  cv::cvtColor(photo, color, cv::COLOR_GRAY2BGR);
  ModelSpec spec = test::tiny_spec();
  cv::Mat prepared;
  ASSERT_OK(prepare_image(color, spec, InputMode::automatic, prepared));
  ASSERT_EQ(prepared.size(), cv::Size(20, 20));
  EXPECT_GT(correlation(prepared, normalize_digit(cell)), 0.9);
  // `prepared` mode does no mapping: the page stays a light page.
  ASSERT_OK(prepare_image(color, spec, InputMode::prepared, prepared));
  EXPECT_GT(cv::mean(prepared)[0], 0.5);
}

TEST(ClassifyPreprocess, RealDigitsSurviveTheMapping) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  LabeledImages d;
  ASSERT_OK(load_digits({}, Split::test, d));
  double sum = 0;
  int n = 0;
  for (std::size_t i = 0; i < d.size(); i += 97, ++n) {
    cv::Mat cell;
    d.images[i].convertTo(cell, CV_32F, 1 / 255.0);
    sum += correlation(normalize_digit(cell), cell);
  }
  EXPECT_GT(sum / n, 0.9) << "mean correlation of digits.png cells with their normalised versions";
}

// A picture that already is a digits.png cell keeps its pixels (the same input as `cvpipe eval`),
// at 20x20 and, resized, at other scales; other framings still go through the mapping.
TEST(ClassifyPreprocess, DigitsPngCellsAreKeptAsTheyAre) {
  if (!test::digits_available()) GTEST_SKIP() << "digits.png not installed";
  for (Split split : {Split::train, Split::test}) {
    LabeledImages d;
    ASSERT_OK(load_digits({}, split, d));
    int not_cells = 0, changed = 0;
    for (const cv::Mat& image : d.images) {
      cv::Mat cell;
      image.convertTo(cell, CV_32F, 1 / 255.0);
      if (!is_digit_cell(cell)) ++not_cells;
      if (cv::norm(normalize_digit(cell), cell, cv::NORM_INF) != 0.0) ++changed;
    }
    EXPECT_EQ(not_cells, 0) << to_string(split);
    EXPECT_EQ(changed, 0) << to_string(split);
  }
  LabeledImages d;
  ASSERT_OK(load_digits({}, Split::test, d));
  for (std::size_t i = 0; i < d.size(); i += 251) {
    cv::Mat cell, big;
    d.images[i].convertTo(cell, CV_32F, 1 / 255.0);
    cv::resize(cell, big, {60, 60}, 0, 0, cv::INTER_LINEAR);
    EXPECT_TRUE(is_digit_cell(big)) << "cell " << i << " at 3x";
    EXPECT_GT(correlation(normalize_digit(big), cell), 0.97) << "cell " << i << " at 3x";
    // The same cell off-centre on a larger black square, or dark on light, is not cell-framed.
    cv::Mat wide = cv::Mat::zeros(40, 40, CV_32FC1);
    cell.copyTo(wide(cv::Rect(2, 16, 20, 20)));
    EXPECT_FALSE(is_digit_cell(wide)) << "cell " << i << " off-centre";
    EXPECT_FALSE(is_digit_cell(1.0 - cell)) << "cell " << i << " inverted";
    const cv::Mat mapped = normalize_digit(wide);
    EXPECT_GT(correlation(mapped, cell), 0.8) << "cell " << i << " off-centre, mapped";
  }
}

TEST(ClassifyPreprocess, BlankImageGivesABlackCell) {
  cv::Mat white(33, 47, CV_32FC1, cv::Scalar(1.f));
  const cv::Mat n = normalize_digit(white);
  EXPECT_EQ(cv::countNonZero(n), 0);
}

TEST(ClassifyPreprocess, FitModes) {
  cv::Mat img(20, 20, CV_32FC1, cv::Scalar(1.f));
  cv::Mat padded = fit_to_input(img, 28, 28, "pad");
  ASSERT_EQ(padded.size(), cv::Size(28, 28));
  EXPECT_FLOAT_EQ(padded.at<float>(0, 0), 0.f);
  EXPECT_FLOAT_EQ(padded.at<float>(4, 4), 1.f);
  EXPECT_FLOAT_EQ(padded.at<float>(3, 3), 0.f);
  EXPECT_DOUBLE_EQ(cv::sum(padded)[0], 400.0);
  cv::Mat wide(10, 40, CV_32FC1, cv::Scalar(1.f));
  cv::Mat lb = fit_to_input(wide, 20, 20, "letterbox");
  ASSERT_EQ(lb.size(), cv::Size(20, 20));
  EXPECT_FLOAT_EQ(lb.at<float>(0, 10), 0.f);   // padded top
  EXPECT_FLOAT_EQ(lb.at<float>(10, 10), 1.f);  // content
  cv::Mat st = fit_to_input(wide, 20, 20, "resize");
  EXPECT_FLOAT_EQ(st.at<float>(0, 10), 1.f);
  // pad with a larger image letterboxes it
  cv::Mat big(40, 40, CV_32FC1, cv::Scalar(1.f));
  EXPECT_EQ(fit_to_input(big, 20, 20, "pad").size(), cv::Size(20, 20));
}

TEST(ClassifyPreprocess, PrepareInputNormalisesChannelMajor) {
  ModelSpec spec = test::tiny_spec();
  spec.input_channels = 3;
  spec.domain = "image";
  spec.fit = "resize";
  spec.input_width = 8;
  spec.input_height = 8;
  spec.mean = {0.5f, 0.5f, 0.5f};
  spec.std = {0.5f, 0.25f, 1.f};
  cv::Mat img(16, 16, CV_8UC3, cv::Scalar(255, 0, 255));  // B=1, G=0, R=1
  std::vector<float> x(3 * 8 * 8);
  ASSERT_OK(prepare_input(img, spec, InputMode::automatic, x.data()));
  EXPECT_FLOAT_EQ(x[0], 1.f);          // (1 - .5) / .5
  EXPECT_FLOAT_EQ(x[64], -2.f);        // (0 - .5) / .25
  EXPECT_FLOAT_EQ(x[128 + 63], 0.5f);  // (1 - .5) / 1
  EXPECT_FALSE(prepare_input(cv::Mat(), spec, InputMode::automatic, x.data()).ok());
}

}  // namespace
}  // namespace cvpipe::classify
