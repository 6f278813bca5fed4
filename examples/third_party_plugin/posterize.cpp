// posterize: an example third-party stage. Reduces each channel to `levels` evenly spaced values,
// optionally keeping edges crisp. Shows the whole SDK surface a plugin author needs: a parameter
// schema, configure/process, Status errors, and the CVPIPE_PLUGIN entry point.
#include <cvpipe/plugin.hpp>

#include <opencv2/imgproc.hpp>

namespace {

class Posterize : public cvpipe::TransformStage {
 public:
  static std::vector<cvpipe::ParamSpec> params() {
    return {
        cvpipe::ParamSpec::integer("levels", 4, 2, 64, "values kept per channel"),
        cvpipe::ParamSpec::boolean("edges", false, "darken Canny edges, for a cartoon look"),
    };
  }

  cvpipe::Status configure(const cvpipe::Params& p, const cvpipe::StageContext&) override {
    levels_ = static_cast<int>(p.get_int("levels"));
    edges_ = p.get_bool("edges");
    return {};
  }

  cvpipe::Status process(cvpipe::Frame& frame) override {
    if (frame.image.empty()) return cvpipe::Status::invalid("posterize: empty image");
    if (frame.image.depth() != CV_8U) return cvpipe::Status::unsupported("posterize: needs 8-bit input");
    cv::Mat lut(1, 256, CV_8U);
    const double step = 255.0 / (levels_ - 1);
    for (int i = 0; i < 256; ++i) lut.at<uchar>(i) = cv::saturate_cast<uchar>(std::round(std::round(i / step) * step));
    cv::Mat out;
    cv::LUT(frame.image, lut, out);
    if (edges_) {
      cv::Mat gray, edge_mask;
      if (frame.image.channels() == 3) cv::cvtColor(frame.image, gray, cv::COLOR_BGR2GRAY); else gray = frame.image;
      cv::Canny(gray, edge_mask, 80, 160);
      out.setTo(cv::Scalar::all(0), edge_mask);
    }
    frame.image = out;
    return {};
  }

 private:
  int levels_ = 4;
  bool edges_ = false;
};

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<Posterize>("posterize", "reduce colours to a few levels per channel"),
};

}  // namespace

CVPIPE_PLUGIN("posterize", "1.0.0", kStages, nullptr)
