// Metrics CSV (merge by step, columns by first appearance, atomic write, load/truncate for resume)
// and the curve PNG (panels, legend colours, log axis, empty input).
#include "cvpipe/nn/curve_plot.hpp"
#include "cvpipe/nn/metrics_log.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

TEST(MetricsLog, CsvColumnsAndMerging) {
  MetricsLog log;
  log.add(10, 0, 0.1, {{"loss", 2.5}, {"acc", 0.25}});
  log.add(20, 0, 0.1, {{"loss", 1.5}});
  log.add(20, 0, 0.1, {{"val_acc", 0.5}});  // same step: merged
  log.add(30, 1, 0.05, {{"loss", 1.0}});
  EXPECT_EQ(log.rows().size(), 3u);
  EXPECT_EQ(log.to_csv(),
            "step,epoch,lr,loss,acc,val_acc\n"
            "10,0,0.1,2.5,0.25,\n"
            "20,0,0.1,1.5,,0.5\n"
            "30,1,0.05,1,,\n");
  EXPECT_EQ(log.series("loss").size(), 3u);
  EXPECT_EQ(*log.last("val_acc"), 0.5);
  EXPECT_FALSE(log.last("nope"));
}

TEST(MetricsLog, WriteLoadTruncate) {
  const auto dir = fs::temp_directory_path() / ("cvpipe_metrics_" + std::to_string(::getpid()));
  MetricsLog log;
  for (int s = 1; s <= 5; ++s) log.add(s * 10, s / 3, 0.01 * s, {{"loss", 1.0 / s}, {"odd,name", s}});
  ASSERT_OK(log.write(dir / "metrics.csv"));
  MetricsLog back;
  const Status st = back.load(dir / "metrics.csv");
  ASSERT_OK(st);
  EXPECT_EQ(back.to_csv(), log.to_csv());
  back.truncate_after(30);
  EXPECT_EQ(back.rows().size(), 3u);
  EXPECT_EQ(back.rows().back().step, 30);
  EXPECT_NEAR(back.rows()[1].values.at("loss"), 0.5, 1e-8);
  // A file that is not a metrics CSV is an error naming it.
  std::ofstream(dir / "bad.csv") << "a,b\n1,2\n";
  const Status bad = back.load(dir / "bad.csv");
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("bad.csv"), std::string::npos);
  EXPECT_EQ(back.rows().size(), 3u) << "a failed load leaves the log unchanged";
  fs::remove_all(dir);
}

TEST(CurvePlot, DrawsPanelsAndLegend) {
  MetricsLog log;
  for (int s = 0; s <= 100; ++s) log.add(s, 0, 0.1, {{"loss", 10.0 * std::exp(-s / 10.0)}, {"val_loss", 12.0 * std::exp(-s / 12.0)}});
  for (int s = 10; s <= 100; s += 10) log.add(s, 0, 0.1, {{"acc", s / 100.0}});
  const cv::Mat img = render_curves(log, {.title = "t", .width = 640, .panel_height = 240, .panels = {}});
  ASSERT_EQ(img.type(), CV_8UC3);
  EXPECT_EQ(img.size(), cv::Size(640, 480)) << "two panels: losses and other metrics";
  // Each series colour appears (legend + curve): palette entries 0, 1 in panel 1 and 2 in panel 2.
  auto count_color = [&](const cv::Mat& part, cv::Scalar c) {
    cv::Mat mask;
    cv::inRange(part, c, c, mask);
    return cv::countNonZero(mask);
  };
  const cv::Mat top = img(cv::Rect(0, 0, 640, 240)), bottom = img(cv::Rect(0, 240, 640, 240));
  EXPECT_GT(count_color(top, {180, 119, 31}), 100);
  EXPECT_GT(count_color(top, {14, 127, 255}), 100);
  EXPECT_EQ(count_color(top, {44, 160, 44}), 0);
  EXPECT_GT(count_color(bottom, {44, 160, 44}), 100);

  const auto png = fs::temp_directory_path() / ("cvpipe_curve_" + std::to_string(::getpid()) + ".png");
  ASSERT_OK(plot_curves(log, png));
  const cv::Mat back = cv::imread(png.string());
  EXPECT_EQ(back.cols, 900);
  fs::remove(png);
}

TEST(CurvePlot, EmptyAndNonFiniteInput) {
  MetricsLog log;
  EXPECT_EQ(render_curves(log).rows, 320);
  log.add(1, 0, 0.1, {{"loss", std::nan("")}});
  log.add(2, 0, 0.1, {{"loss", INFINITY}});
  log.add(3, 0, 0.1, {{"loss", 1.0}});
  const cv::Mat img = render_curves(log);
  EXPECT_FALSE(img.empty());
}

}  // namespace
}  // namespace cvpipe::nn
