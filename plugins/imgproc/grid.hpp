// Stage `grid`: tiles frames into contact sheets. Each frame is scaled into a tile_width x
// tile_height cell (aspect kept, letterboxed) with an optional caption (its source name); every
// `count` frames a sheet (8-bit BGR, `cols` cells wide) is emitted as soon as it is full, and the
// rest at end of stream. By default tiles are held and only sheets go on; with passthrough every
// frame goes on unchanged, and each sheet follows the frame that completes it.
// Sheets are named "<instance>_000000", "<instance>_000001" ... (Frame.source, meta["grid_sheet"] =
// index); a sheet's seq and pts_ns are those of its last and first tile.
#pragma once
#include "cvpipe/stage.hpp"

namespace cvpipe::imgproc {

class Grid final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();
  Status configure(const Params& p, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status transform(Frame& frame, Emitter& out) override;
  Status finish(Emitter& out) override;
  Status close() override;

 private:
  cv::Mat make_tile(const Frame& f) const;
  Frame make_sheet();

  int cols_ = 4, tile_w_ = 160, tile_h_ = 120, count_ = 16, gap_ = 4, background_ = 32;
  bool captions_ = true, passthrough_ = false;
  std::string name_ = "grid";
  std::vector<cv::Mat> tiles_;
  int64_t first_pts_ = 0;
  int64_t last_seq_ = 0;
  int64_t sheets_ = 0;
};

}  // namespace cvpipe::imgproc
