// Loss/metric curves drawn with OpenCV. See curve_plot.hpp.
#include "cvpipe/nn/curve_plot.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/safetensors.hpp"  // write_file_atomic

namespace cvpipe::nn {
namespace {

const cv::Scalar k_palette[] = {
    {180, 119, 31}, {14, 127, 255}, {44, 160, 44}, {40, 39, 214}, {189, 103, 148},
    {75, 86, 140},  {194, 119, 227}, {127, 127, 127}, {34, 189, 188}, {207, 190, 23},
};
constexpr int k_font = cv::FONT_HERSHEY_SIMPLEX;

std::string tick_label(double v) {
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e4 || a < 1e-3) return fmt::format("{:.1e}", v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 1) return fmt::format("{:.3g}", v);
  return fmt::format("{:.3g}", v);
}

// "Nice" tick positions covering [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int target = 5) {
  const double span = hi - lo;
  if (!(span > 0)) return {lo};
  const double raw = span / target;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;
  cv::Scalar color;
};

void draw_panel(cv::Mat& img, cv::Rect area, const std::string& title, const std::vector<Series>& series) {
  const int left = 70, right = 15, top = 28, bottom = 38;
  const cv::Rect plot(area.x + left, area.y + top, area.width - left - right, area.height - top - bottom);
  cv::putText(img, title, {area.x + left, area.y + 19}, k_font, 0.5, {0, 0, 0}, 1, cv::LINE_AA);
  cv::rectangle(img, plot, {0, 0, 0}, 1);
  double x0 = std::numeric_limits<double>::infinity(), x1 = -x0, y0 = x0, y1 = -x0;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      x0 = std::min(x0, x);
      x1 = std::max(x1, x);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  if (series.empty() || !std::isfinite(x0)) {
    cv::putText(img, "no data", {plot.x + plot.width / 2 - 30, plot.y + plot.height / 2}, k_font, 0.5, {90, 90, 90}, 1, cv::LINE_AA);
    return;
  }
  const bool log_y = y0 > 0 && y1 / y0 > 100.0;
  auto ty = [&](double y) { return log_y ? std::log10(y) : y; };
  double ly0 = ty(y0), ly1 = ty(y1);
  if (ly1 - ly0 < 1e-12) {
    const double pad = std::max(std::abs(ly0) * 0.05, 1e-6);
    ly0 -= pad;
    ly1 += pad;
  } else {
    const double pad = (ly1 - ly0) * 0.05;
    ly0 -= pad;
    ly1 += pad;
  }
  if (x1 - x0 < 1e-12) {
    x0 -= 0.5;
    x1 += 0.5;
  }
  auto px = [&](double x) { return plot.x + static_cast<int>(std::lround((x - x0) / (x1 - x0) * (plot.width - 1))); };
  auto py = [&](double y) {
    return plot.y + plot.height - 1 - static_cast<int>(std::lround((ty(y) - ly0) / (ly1 - ly0) * (plot.height - 1)));
  };
  // Grid and tick labels.
  for (double t : nice_ticks(ly0, ly1)) {
    const double v = log_y ? std::pow(10.0, t) : t;
    const int y = py(v);
    if (y < plot.y || y >= plot.y + plot.height) continue;
    cv::line(img, {plot.x, y}, {plot.x + plot.width - 1, y}, {225, 225, 225}, 1);
    cv::line(img, {plot.x - 4, y}, {plot.x, y}, {0, 0, 0}, 1);
    const std::string label = tick_label(v);
    int base = 0;
    const cv::Size sz = cv::getTextSize(label, k_font, 0.38, 1, &base);
    cv::putText(img, label, {plot.x - 7 - sz.width, y + sz.height / 2}, k_font, 0.38, {0, 0, 0}, 1, cv::LINE_AA);
  }
  for (double t : nice_ticks(x0, x1)) {
    const int x = px(t);
    if (x < plot.x || x >= plot.x + plot.width) continue;
    cv::line(img, {x, plot.y}, {x, plot.y + plot.height - 1}, {235, 235, 235}, 1);
    cv::line(img, {x, plot.y + plot.height}, {x, plot.y + plot.height + 4}, {0, 0, 0}, 1);
    const std::string label = tick_label(t);
    int base = 0;
    const cv::Size sz = cv::getTextSize(label, k_font, 0.38, 1, &base);
    cv::putText(img, label, {x - sz.width / 2, plot.y + plot.height + 8 + sz.height}, k_font, 0.38, {0, 0, 0}, 1, cv::LINE_AA);
  }
  cv::putText(img, log_y ? "step   (log10 y)" : "step", {plot.x + plot.width / 2 - 20, area.y + area.height - 5}, k_font, 0.4,
              {60, 60, 60}, 1, cv::LINE_AA);
  cv::rectangle(img, plot, {0, 0, 0}, 1);
  // Curves.
  for (const auto& s : series) {
    for (std::size_t i = 1; i < s.points.size(); ++i)
      cv::line(img, {px(s.points[i - 1].first), py(s.points[i - 1].second)}, {px(s.points[i].first), py(s.points[i].second)},
               s.color, 2, cv::LINE_AA);
    if (s.points.size() == 1) cv::circle(img, {px(s.points[0].first), py(s.points[0].second)}, 3, s.color, cv::FILLED, cv::LINE_AA);
  }
  // Legend (top right, on a white box).
  int lw = 0;
  for (const auto& s : series) {
    int base = 0;
    lw = std::max(lw, cv::getTextSize(s.name, k_font, 0.42, 1, &base).width);
  }
  const int row_h = 17;
  const int bw = lw + 40, bh = static_cast<int>(series.size()) * row_h + 8;
  // Top right unless the curves pass there more often than through the bottom right corner.
  const cv::Rect top_box(plot.x + plot.width - bw - 8, plot.y + 6, bw, bh);
  const cv::Rect bottom_box(top_box.x, plot.y + plot.height - bh - 6, bw, bh);
  int in_top = 0, in_bottom = 0;
  for (const auto& s : series)
    for (const auto& [x, y] : s.points) {
      const cv::Point p(px(x), py(y));
      in_top += top_box.contains(p);
      in_bottom += bottom_box.contains(p);
    }
  const cv::Rect box = in_bottom < in_top ? bottom_box : top_box;
  cv::rectangle(img, box, {255, 255, 255}, cv::FILLED);
  cv::rectangle(img, box, {150, 150, 150}, 1);
  for (std::size_t i = 0; i < series.size(); ++i) {
    const int y = box.y + 12 + static_cast<int>(i) * row_h;
    cv::line(img, {box.x + 6, y}, {box.x + 26, y}, series[i].color, 2, cv::LINE_AA);
    cv::putText(img, series[i].name, {box.x + 32, y + 5}, k_font, 0.42, {0, 0, 0}, 1, cv::LINE_AA);
  }
}

}  // namespace

cv::Mat render_curves(const MetricsLog& log, const PlotOptions& options) {
  std::vector<std::vector<std::string>> panels = options.panels;
  if (panels.empty()) {
    std::vector<std::string> losses, others;
    for (const auto& c : log.columns()) (c.find("loss") != std::string::npos ? losses : others).push_back(c);
    if (!losses.empty()) panels.push_back(losses);
    if (!others.empty()) panels.push_back(others);
    if (panels.empty()) panels.emplace_back();
  }
  const int width = std::max(options.width, 300);
  const int ph = std::max(options.panel_height, 150);
  cv::Mat img(ph * static_cast<int>(panels.size()), width, CV_8UC3, cv::Scalar(255, 255, 255));
  std::size_t color = 0;
  for (std::size_t p = 0; p < panels.size(); ++p) {
    std::vector<Series> series;
    for (const auto& name : panels[p]) {
      Series s{name, {}, k_palette[color++ % std::size(k_palette)]};
      for (const auto& pt : log.series(name))
        if (std::isfinite(pt.first) && std::isfinite(pt.second)) s.points.push_back(pt);
      if (!s.points.empty()) series.push_back(std::move(s));
    }
    std::string title = options.title;
    if (panels.size() > 1) title += p == 0 && !panels[0].empty() && panels[0][0].find("loss") != std::string::npos ? " - losses" : " - metrics";
    draw_panel(img, cv::Rect(0, ph * static_cast<int>(p), width, ph), title, series);
  }
  return img;
}

Status plot_curves(const MetricsLog& log, const std::filesystem::path& png, const PlotOptions& options) {
  std::vector<uchar> buf;
  try {
    if (!cv::imencode(".png", render_curves(log, options), buf))
      return Status::io(fmt::format("{}: PNG encoding failed", png.string()));
  } catch (const cv::Exception& e) {
    return Status::io(fmt::format("{}: cannot draw curves: {}", png.string(), e.what()));
  }
  return write_file_atomic(png, std::as_bytes(std::span(buf.data(), buf.size())), false);
}

}  // namespace cvpipe::nn
