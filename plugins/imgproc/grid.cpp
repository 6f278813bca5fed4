// Stage `grid`: see grid.hpp.
#include "grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "common.hpp"

namespace cvpipe::imgproc {

std::vector<ParamSpec> Grid::params() {
  return {
      ParamSpec::integer("cols", 4, 1, 64, "cells per row"),
      ParamSpec::integer("tile_width", 160, 8, 4096, "cell width in pixels"),
      ParamSpec::integer("tile_height", 120, 8, 4096, "cell height in pixels"),
      ParamSpec::integer("count", 16, 1, 4096, "frames per sheet"),
      ParamSpec::integer("gap", 4, 0, 256, "pixels between cells and around the sheet"),
      ParamSpec::integer("background", 32, 0, 255, "gray level of the sheet background"),
      ParamSpec::boolean("captions", true, "write each frame's source name on its cell"),
      ParamSpec::boolean("passthrough", false, "let frames go on unchanged; each sheet follows the frame that completes it"),
  };
}

Status Grid::configure(const Params& p, const StageContext& ctx) {
  cols_ = static_cast<int>(p.get_int("cols"));
  tile_w_ = static_cast<int>(p.get_int("tile_width"));
  tile_h_ = static_cast<int>(p.get_int("tile_height"));
  count_ = static_cast<int>(p.get_int("count"));
  gap_ = static_cast<int>(p.get_int("gap"));
  background_ = static_cast<int>(p.get_int("background"));
  captions_ = p.get_bool("captions");
  passthrough_ = p.get_bool("passthrough");
  name_ = ctx.instance_name.empty() ? "grid" : ctx.instance_name;
  tiles_.clear();
  sheets_ = 0;
  return {};
}

Status Grid::open(const StreamInfo& in, StreamInfo& out) {
  out = in;
  if (!passthrough_) {
    out.size = cv::Size();
    out.type = CV_8UC3;
    out.frame_count = in.frame_count >= 0 ? (in.frame_count + count_ - 1) / count_ : -1;
  }
  return {};
}

cv::Mat Grid::make_tile(const Frame& f) const {
  cv::Mat tile(tile_h_, tile_w_, CV_8UC3, cv::Scalar::all(background_));
  const cv::Mat bgr = to_bgr8(f.image);
  const double s = std::min(static_cast<double>(tile_w_) / bgr.cols, static_cast<double>(tile_h_) / bgr.rows);
  const cv::Size fit(std::clamp(static_cast<int>(std::lround(bgr.cols * s)), 1, tile_w_),
                     std::clamp(static_cast<int>(std::lround(bgr.rows * s)), 1, tile_h_));
  cv::Mat scaled;
  cv::resize(bgr, scaled, fit, 0, 0, s < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  scaled.copyTo(tile(cv::Rect((tile_w_ - fit.width) / 2, (tile_h_ - fit.height) / 2, fit.width, fit.height)));
  if (captions_ && !f.source.empty()) {
    const double scale = std::clamp(tile_h_ / 240.0, 0.3, 1.0);
    int baseline = 0;
    std::string text = f.source;
    cv::Size ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
    while (text.size() > 4 && ts.width > tile_w_ - 4) {
      text = text.substr(0, text.size() - 4) + "..";
      ts = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
    }
    const int h = ts.height + baseline + 4;
    cv::Mat band = tile(cv::Rect(0, tile_h_ - std::min(h, tile_h_), tile_w_, std::min(h, tile_h_)));
    band *= 0.4;
    cv::putText(tile, text, cv::Point(2, tile_h_ - baseline - 2), cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(255), 1,
                cv::LINE_AA);
  }
  return tile;
}

Frame Grid::make_sheet() {
  const int n = static_cast<int>(tiles_.size());
  const int rows = (n + cols_ - 1) / cols_;
  cv::Mat sheet(gap_ + rows * (tile_h_ + gap_), gap_ + cols_ * (tile_w_ + gap_), CV_8UC3, cv::Scalar::all(background_));
  for (int i = 0; i < n; ++i) {
    const int r = i / cols_, c = i % cols_;
    tiles_[i].copyTo(sheet(cv::Rect(gap_ + c * (tile_w_ + gap_), gap_ + r * (tile_h_ + gap_), tile_w_, tile_h_)));
  }
  Frame f;
  f.image = sheet;
  f.seq = last_seq_;
  f.pts_ns = first_pts_;
  char name[32];
  std::snprintf(name, sizeof name, "_%06lld", static_cast<long long>(sheets_));
  f.source = name_ + name;
  f.meta["grid_tiles"] = static_cast<int64_t>(n);
  f.meta["grid_sheet"] = sheets_;
  ++sheets_;
  tiles_.clear();
  return f;
}

Status Grid::transform(Frame& f, Emitter& out) {
  CVPIPE_RETURN_IF_ERROR(check_image(f, "grid"));
  return guard([&]() -> Status {
    if (tiles_.empty()) first_pts_ = f.pts_ns;
    last_seq_ = f.seq;
    tiles_.push_back(make_tile(f));
    if (passthrough_) out.emit(std::move(f));
    if (static_cast<int>(tiles_.size()) >= count_) out.emit(make_sheet());
    return {};
  }, "grid");
}

Status Grid::finish(Emitter& out) {
  return guard([&]() -> Status {
    if (!tiles_.empty()) out.emit(make_sheet());
    return {};
  }, "grid");
}

Status Grid::close() {
  tiles_.clear();
  return {};
}

}  // namespace cvpipe::imgproc
