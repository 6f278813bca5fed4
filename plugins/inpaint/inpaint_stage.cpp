// The `inpaint` stage; see inpaint_stage.hpp.
#include "inpaint_stage.hpp"


#include <opencv2/imgproc.hpp>

#include "cvpipe/image_file.hpp"
#include "masks.hpp"

namespace cvpipe::inpaint {

namespace {

std::string frame_label(const Frame& f) {
  return f.source.empty() ? "frame " + std::to_string(f.seq) : "'" + f.source + "'";
}

std::string size_text(const cv::Mat& m) { return std::to_string(m.cols) + "x" + std::to_string(m.rows); }

}  // namespace

std::vector<ParamSpec> InpaintStage::params() {
  return {
      ParamSpec::choice("method", "cnn", {"cnn", "classic"}, "cnn: the learned network; classic: cv::inpaint (see 'classic')"),
      ParamSpec::choice("mask", "files", {"files", "color", "plane", "detections"},
                        "where the hole comes from: mask files, a key colour, the frame's 'mask' plane, or detection boxes"),
      ParamSpec::path("mask_dir", "", false, "mask: files - folder with one mask per input, same base name, non-zero = hole"),
      ParamSpec::string("mask_color", "magenta", "mask: color - the key colour, 'B,G,R' or magenta, green, red, blue, white, black"),
      ParamSpec::integer("tolerance", 0, 0, 255, "mask: color - match tolerance per channel (8-bit levels)"),
      ParamSpec::string("classes", "", "mask: detections - comma-separated labels or class ids to remove (empty: all)"),
      ParamSpec::integer("grow", 0, 0, 256, "dilate the hole by this many pixels"),
      ParamSpec::model("model", kDefaultModel, "model file (default: the shipped models/inpaint.safetensors)"),
      ParamSpec::integer("tile", TileOptions{}.tile, 128, 16384, "cnn: largest tile side in pixels; bounds memory on large frames"),
      ParamSpec::integer("flips", TileOptions{}.flips, 1, 4,
                         "cnn: self-ensemble passes (1: as is; 2: + mirrored; 4: + upside down and both), averaged"),
      ParamSpec::choice("classic", "telea", {"telea", "ns"}, "method: classic - telea (fast marching) or ns (Navier-Stokes)"),
      ParamSpec::number("radius", 3.0, 0.5, 100.0, "method: classic - neighbourhood radius in pixels"),
  };
}

Status InpaintStage::configure(const Params& p, const StageContext&) {
  const std::string mask = p.get_string("mask");
  source_ = mask == "files" ? Source::files : mask == "color" ? Source::color : mask == "plane" ? Source::plane : Source::detections;
  mask_dir_ = p.get_string("mask_dir");
  if (source_ == Source::files) {
    std::error_code ec;
    if (mask_dir_.empty()) return Status::invalid("inpaint: mask: files needs 'mask_dir' (the folder of mask images)");
    if (!std::filesystem::is_directory(mask_dir_, ec)) {
      return Status::invalid("inpaint: mask_dir '" + mask_dir_.string() + "' is not a folder");
    }
  }
  CVPIPE_RETURN_IF_ERROR(parse_color(p.get_string("mask_color"), color_));
  tolerance_ = static_cast<int>(p.get_int("tolerance"));
  classes_ = split_list(p.get_string("classes"));
  grow_ = static_cast<int>(p.get_int("grow"));
  use_cnn_ = p.get_string("method") == "cnn";
  classic_ = p.get_string("classic") == "ns" ? InpaintMethod::ns : InpaintMethod::telea;
  radius_ = p.get_number("radius");
  cnn_.reset();
  if (!use_cnn_) return {};
  TileOptions t;
  t.tile = static_cast<int>(p.get_int("tile"));
  t.margin = std::min(t.margin, t.tile / 4);
  t.flips = static_cast<int>(p.get_int("flips"));
  return load_inpainter(p.get_string("model"), t, cnn_);
}

Status InpaintStage::frame_mask(const Frame& f, cv::Mat& mask) const {
  switch (source_) {
    case Source::files: {
      std::filesystem::path file;
      CVPIPE_RETURN_IF_ERROR(find_mask_file(mask_dir_, f.source, file));
      cv::Mat m;
      CVPIPE_RETURN_IF_ERROR(read_image(file, cv::IMREAD_UNCHANGED, m));
      if (m.size() != f.image.size()) {
        return Status::invalid("inpaint: mask file '" + file.string() + "' is " + size_text(m) + " but image " +
                               frame_label(f) + " is " + size_text(f.image));
      }
      mask = binarize(m);
      return {};
    }
    case Source::color:
      mask = color_mask(f.image, color_, tolerance_);
      return {};
    case Source::plane: {
      const auto it = f.planes.find("mask");
      if (it == f.planes.end() || it->second.empty()) {
        return Status::invalid("inpaint: " + frame_label(f) + " has no 'mask' plane (mask: plane)");
      }
      if (it->second.size() != f.image.size()) {
        return Status::invalid("inpaint: the 'mask' plane of " + frame_label(f) + " is " + size_text(it->second) +
                               " but the image is " + size_text(f.image));
      }
      mask = binarize(it->second);
      return {};
    }
    case Source::detections:
      mask = detection_mask(f.image.size(), f.detections, classes_);
      return {};
  }
  return Status::invalid("inpaint: unknown mask source");
}

Status InpaintStage::process(Frame& frame) {
  if (frame.image.empty()) return Status::invalid("inpaint: empty image in " + frame_label(frame));
  cv::Mat mask;
  CVPIPE_RETURN_IF_ERROR(frame_mask(frame, mask));
  if (grow_ > 0) {
    cv::dilate(mask, mask, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow_ + 1, 2 * grow_ + 1)));
  }
  const int pixels = cv::countNonZero(mask);
  frame.meta["inpainted_pixels"] = static_cast<int64_t>(pixels);
  if (pixels == 0) return {};
  cv::Mat out;
  Status st;
  if (use_cnn_) {
    st = cnn_->inpaint(frame.image, mask, out);
  } else {
    st = classic_inpaint(frame.image, mask, classic_, radius_, out);
  }
  if (!st.ok()) return Status(st.code(), st.message() + " (" + frame_label(frame) + ")");
  frame.image = out;
  return {};
}

}  // namespace cvpipe::inpaint
