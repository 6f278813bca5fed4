// Backend `hog`: see backends.hpp.
#include <cmath>

#include <opencv2/objdetect.hpp>

#include "backends.hpp"

namespace cvpipe::detect {

namespace {

class HogDetector final : public Detector {
 public:
  explicit HogDetector(const DetectorOptions& o) : options_(o) {
    hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
  }

  const std::vector<std::string>& class_names() const override { return names_; }

  Status detect(const cv::Mat& bgr8, std::vector<Detection>& out) override {
    if (bgr8.cols < hog_.winSize.width || bgr8.rows < hog_.winSize.height) return {};  // smaller than one window
    std::vector<cv::Rect> rects;
    std::vector<double> margins;
    hog_.detectMultiScale(bgr8, rects, margins, 0.0, cv::Size(8, 8), cv::Size(), options_.scale_step,
                          static_cast<double>(options_.min_neighbors));
    for (size_t i = 0; i < rects.size(); ++i) {
      const double m = i < margins.size() ? margins[i] : 0.0;
      const cv::Rect r = rects[i] & cv::Rect(0, 0, bgr8.cols, bgr8.rows);
      if (r.width < options_.min_size || r.height < options_.min_size || r.empty()) continue;
      out.push_back(Detection{cv::Rect2f(r), 0, names_[0], static_cast<float>(1.0 / (1.0 + std::exp(-m)))});
    }
    return {};
  }

 private:
  DetectorOptions options_;
  cv::HOGDescriptor hog_;
  std::vector<std::string> names_ = {"person"};
};

}  // namespace

Status create_hog(const DetectorOptions& options, std::unique_ptr<Detector>& out) {
  out = std::make_unique<HogDetector>(options);
  return {};
}

}  // namespace cvpipe::detect
