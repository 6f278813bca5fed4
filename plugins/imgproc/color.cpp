// Stage `color`: see color.hpp.
#include "color.hpp"

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> Color::params() {
  return {
      ParamSpec::choice("to", "gray", {"gray", "bgr", "rgb", "hsv", "lab"}, "target color space (hsv and lab need 8-bit input)"),
  };
}

Status Color::configure(const Params& p, const StageContext&) {
  to_ = p.get_string("to");
  return {};
}

Status Color::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (in.type >= 0) out.type = CV_MAKETYPE(CV_MAT_DEPTH(in.type), to_ == "gray" ? 1 : 3);
  return {};
}

Status Color::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "color"));
  if ((to_ == "hsv" || to_ == "lab") && f.image.depth() != CV_8U)
    return Status::unsupported("color: converting to " + to_ + " needs 8-bit input; " + frame_text(f) + " is " +
                               depth_name(f.image.depth()));
  return guard([&]() -> Status {
    cv::Mat m = f.image;
    cv::Mat tmp;
    if (m.channels() == 4) {
      cv::cvtColor(m, tmp, to_ == "gray" ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGRA2BGR);
      m = tmp;
    }
    cv::Mat out;
    if (to_ == "gray") {
      if (m.channels() == 3) cv::cvtColor(m, out, cv::COLOR_BGR2GRAY);
      else out = m;
    } else {
      cv::Mat bgr = m;
      if (m.channels() == 1) cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
      if (to_ == "bgr") out = bgr;
      else if (to_ == "rgb") cv::cvtColor(bgr, out, cv::COLOR_BGR2RGB);
      else if (to_ == "hsv") cv::cvtColor(bgr, out, cv::COLOR_BGR2HSV);
      else cv::cvtColor(bgr, out, cv::COLOR_BGR2Lab);
    }
    f.image = out;
    f.meta["color_space"] = to_;
    return {};
  }, "color");
}


StageContract Color::contract() {
  return {{}, {{}, {1, 3}, {"color_space"}}};
}

}  // namespace cvpipe::imgproc
