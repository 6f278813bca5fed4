// Training-curve PNGs drawn with OpenCV: one panel per group of metrics (by default losses in one
// panel, every other metric in a second), each with axes, tick labels, a step axis and a legend.
// A panel whose values are all positive and span more than two decades uses a log10 y axis.
// Non-finite values are skipped. Output is written atomically. Pure function of its input.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/metrics_log.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

struct PlotOptions {
  std::string title = "training";
  int width = 900;
  int panel_height = 320;
  // Explicit panels (each a list of metric names); empty: "loss"-named metrics, then the rest.
  std::vector<std::vector<std::string>> panels{};
};

// The image (CV_8UC3). Metrics with no finite values are left out; no metric at all gives a
// single panel saying "no data".
cv::Mat render_curves(const MetricsLog& log, const PlotOptions& options = {});
Status plot_curves(const MetricsLog& log, const std::filesystem::path& png, const PlotOptions& options = {});

}  // namespace cvpipe::nn
