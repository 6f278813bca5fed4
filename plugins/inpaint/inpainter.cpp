// Whole-image hole filling; see inpainter.hpp.
#include "inpainter.hpp"

#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "cvpipe/inpaint_classic.hpp"
#include "masks.hpp"
#include "cvpipe/nn/tiling.hpp"

namespace cvpipe::inpaint {

namespace {

std::string size_text(const cv::Mat& m) { return std::to_string(m.cols) + "x" + std::to_string(m.rows); }

// The colour part of an image as BGR (gray replicated, alpha dropped), same depth.
cv::Mat bgr_of(const cv::Mat& image) {
  cv::Mat bgr;
  if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  else if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
  else bgr = image;
  return bgr;
}

}  // namespace

Status check_inputs(const cv::Mat& image, const cv::Mat& mask, cv::Mat& hole) {
  if (image.empty()) return Status::invalid("inpaint: empty image");
  if (image.depth() != CV_8U && image.depth() != CV_16U) {
    return Status::unsupported("inpaint: needs an 8-bit or 16-bit image (got OpenCV depth " + std::to_string(image.depth()) + ")");
  }
  const int ch = image.channels();
  if (ch != 1 && ch != 3 && ch != 4) return Status::unsupported("inpaint: needs 1, 3 or 4 channels, got " + std::to_string(ch));
  if (mask.empty()) return Status::invalid("inpaint: empty mask");
  if (mask.size() != image.size()) {
    return Status::invalid("inpaint: the mask is " + size_text(mask) + " but the image is " + size_text(image));
  }
  hole = binarize(mask);
  return {};
}

Inpainter::Inpainter(std::unique_ptr<InpaintNet> net, TileOptions options) : net_(std::move(net)), options_(options) {}

Status Inpainter::inpaint(const cv::Mat& image, const cv::Mat& mask, cv::Mat& out) {
  cv::Mat hole;
  CVPIPE_RETURN_IF_ERROR(check_inputs(image, mask, hole));
  if (cv::countNonZero(hole) == 0) {
    out = image;
    return {};
  }
  const bool wide = image.depth() == CV_16U;
  cv::Mat bgr = bgr_of(image), bgr8;
  if (wide) bgr.convertTo(bgr8, CV_8U, 1.0 / 257.0);
  else bgr8 = bgr;
  // Tiles carry the mask as a 4th channel, so both are cut (and padded) together.
  cv::Mat packed;
  cv::merge(std::vector<cv::Mat>{bgr8, hole}, packed);
  nn::TilingOptions t;
  t.align = net_->multiple();
  t.tile = options_.tile;
  t.margin = options_.margin;
  cv::Mat estimate;
  CVPIPE_RETURN_IF_ERROR(nn::process_tiled(packed, estimate, t, [&](const cv::Mat& in, cv::Mat& tile_out) -> Status {
    cv::Mat tile_bgr, tile_hole;
    cv::extractChannel(in, tile_hole, 3);
    if (cv::countNonZero(tile_hole) == 0) {
      tile_out = cv::Mat::zeros(in.size(), CV_32FC3);  // no hole here: nothing of it is used
      return {};
    }
    cv::cvtColor(in, tile_bgr, cv::COLOR_BGRA2BGR);
    // Flip codes of the self-ensemble passes (cv::flip: 1 left-right, 0 upside down, -1 both); a
    // flip is its own inverse and keeps the tile's shape, so the network plans once.
    static const int k_flips[] = {2, 1, 0, -1};
    const int passes = std::clamp(options_.flips, 1, 4);
    try {
      for (int k = 0; k < passes; ++k) {
        cv::Mat bgr = tile_bgr, hole_k = tile_hole;
        if (k > 0) {
          cv::flip(tile_bgr, bgr, k_flips[k]);
          cv::flip(tile_hole, hole_k, k_flips[k]);
        }
        cv::Mat estimate = net_->run(bgr, hole_k);
        if (k > 0) {
          cv::Mat back;  // cv::flip is not in-place safe
          cv::flip(estimate, back, k_flips[k]);
          estimate = back;
        }
        if (k == 0) tile_out = estimate;
        else tile_out += estimate;
      }
    } catch (const std::exception& e) {
      return Status::runtime(std::string("inpaint network: ") + e.what());
    }
    if (passes > 1) tile_out /= static_cast<double>(passes);
    return {};
  }));
  cv::Mat filled;
  estimate.convertTo(filled, CV_MAKETYPE(image.depth(), 3), wide ? 65535.0 : 255.0);  // saturating
  out = composite_hole(image, filled, hole);
  return {};
}

Status classic_inpaint(const cv::Mat& image, const cv::Mat& mask, InpaintMethod method, double radius, cv::Mat& out) {
  cv::Mat hole;
  CVPIPE_RETURN_IF_ERROR(check_inputs(image, mask, hole));
  return inpaint_classic(image, hole, method, radius, out);
}

Status load_inpainter(const std::filesystem::path& path, const TileOptions& options, std::unique_ptr<Inpainter>& out) {
  // Every failure here is a bad `model` setting, found before any image: invalid_argument.
  if (path.empty()) return Status::invalid("parameter 'model': no model file given");
  std::unique_ptr<InpaintNet> net;
  Status st = InpaintNet::load(path, net);
  if (!st.ok()) return Status::invalid(st.message());
  out = std::make_unique<Inpainter>(std::move(net), options);
  return {};
}

}  // namespace cvpipe::inpaint
