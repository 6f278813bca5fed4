// Stage `nlmeans`: see nlmeans.hpp.
#include "nlmeans.hpp"

#include "common.hpp"
#include "cvpipe/nlmeans.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> NlMeans::params() {
  return {
      ParamSpec::number("h", 10.0, 0.0, 100.0, "filter strength for luminance (8-bit levels): higher removes more noise and detail"),
      ParamSpec::number("h_color", 10.0, 0.0, 100.0, "filter strength for colour components (color frames)"),
      ParamSpec::integer("template", 7, 3, 21, "odd side of the patch compared between pixels"),
      ParamSpec::integer("search", 21, 3, 65, "odd side of the window searched for similar patches"),
  };
}

Status NlMeans::configure(const Params& p, const StageContext&) {
  h_ = static_cast<float>(p.get_number("h"));
  h_color_ = static_cast<float>(p.get_number("h_color"));
  template_ = static_cast<int>(p.get_int("template"));
  search_ = static_cast<int>(p.get_int("search"));
  return {};
}

Status NlMeans::check_params(const Params& p) {
  for (const char* name : {"template", "search"})
    if (p.get_int(name) % 2 == 0)
      return Status::invalid(std::string("'") + name + "' must be odd, got " + std::to_string(p.get_int(name)));
  return {};
}

Status NlMeans::process(Frame& f) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "nlmeans"));
  if (f.image.depth() == CV_32F)
    return Status::unsupported("nlmeans: " + frame_text(f) + " is 32-bit float; OpenCV denoises 8-bit and 16-bit images");
  cv::Mat out;
  const Status st = cvpipe::nlmeans(f.image, {.h = h_, .h_color = h_color_, .template_size = template_, .search_size = search_}, out);
  if (!st.ok()) return Status(st.code(), st.message() + " (" + frame_text(f) + ")");
  f.image = out;
  return {};
}


StageContract NlMeans::contract() {
  return {{{CV_8U, CV_16U}, {1, 3, 4}, {}}, {{CV_8U, CV_16U}, {1, 3, 4}, {}}};
}

}  // namespace cvpipe::imgproc
