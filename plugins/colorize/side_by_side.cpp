// Side-by-side strips; see side_by_side.hpp.
#include "side_by_side.hpp"

#include <opencv2/imgproc.hpp>

namespace cvpipe::colorize {

cv::Mat side_by_side(const std::vector<std::pair<std::string, cv::Mat>>& panels) {
  const int gap = 4, header = 22;
  const cv::Size s = panels.front().second.size();
  cv::Mat sheet(s.height + header, static_cast<int>(panels.size()) * (s.width + gap) - gap, CV_8UC3, cv::Scalar(255, 255, 255));
  for (std::size_t i = 0; i < panels.size(); ++i) {
    cv::Mat bgr;
    const cv::Mat& m = panels[i].second;
    if (m.channels() == 1) cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
    else bgr = m;
    const int x = static_cast<int>(i) * (s.width + gap);
    bgr.copyTo(sheet(cv::Rect(x, header, s.width, s.height)));
    cv::putText(sheet, panels[i].first, {x + 4, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  return sheet;
}

}  // namespace cvpipe::colorize
