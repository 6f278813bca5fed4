// Overlapping tiles; see tiling.hpp.
#include "cvpipe/nn/tiling.hpp"

#include <algorithm>
#include <string>

#include <opencv2/core.hpp>

namespace cvpipe::nn {

namespace {
int round_up(int v, int a) { return (v + a - 1) / a * a; }
int round_down(int v, int a) { return v / a * a; }

struct Normalised {
  int tile, margin, align;
};

Normalised normalise(const TilingOptions& o) {
  Normalised n;
  n.align = std::max(1, o.align);
  n.margin = round_up(std::max(0, o.margin), n.align);
  // A tile must leave a non-empty centre between its two margins.
  n.tile = std::max(round_down(o.tile, n.align), 2 * n.margin + n.align);
  return n;
}
}  // namespace

std::vector<TileSpan> tile_spans(int length, const TilingOptions& options) {
  std::vector<TileSpan> spans;
  if (length <= 0) return spans;
  const Normalised n = normalise(options);
  if (length <= n.tile) {
    spans.push_back({0, length, 0, length});
    return spans;
  }
  // The fewest tiles of at most n.tile pixels that cover the axis, shrunk to one equal size just
  // big enough for that many (a 320-pixel side with tile 288 gets two 186-pixel tiles, not two 288s).
  const int inner = length - 2 * n.margin;
  const int count = (inner + (n.tile - 2 * n.margin) - 1) / (n.tile - 2 * n.margin);
  const int size = std::min(n.tile, round_up((inner + count - 1) / count + 2 * n.margin, n.align));
  const int step = size - 2 * n.margin;
  std::vector<int> starts;
  for (int s = 0; s + size < length; s += step) starts.push_back(s);
  starts.push_back(round_down(length - size, n.align));
  int keep = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    TileSpan t;
    t.start = starts[i];
    t.size = size;
    t.keep_begin = keep;
    t.keep_end = i + 1 == starts.size() ? length : t.start + size - n.margin;
    keep = t.keep_end;
    spans.push_back(t);
  }
  return spans;
}

Status process_tiled(const cv::Mat& src, cv::Mat& dst, const TilingOptions& options, const TileFn& fn) {
  if (src.empty()) return Status::invalid("tiling: empty image");
  const Normalised n = normalise(options);
  cv::Mat padded = src;
  const int pad_y = round_up(src.rows, n.align) - src.rows;
  const int pad_x = round_up(src.cols, n.align) - src.cols;
  if (pad_x || pad_y) {
    // REFLECT_101 needs at least 2 pixels; a 1-pixel side falls back to replication.
    const int border = (src.rows > 1 && src.cols > 1) ? cv::BORDER_REFLECT_101 : cv::BORDER_REPLICATE;
    cv::copyMakeBorder(src, padded, 0, pad_y, 0, pad_x, border);
  }
  const auto ys = tile_spans(padded.rows, options);
  const auto xs = tile_spans(padded.cols, options);
  cv::Mat out;
  for (const auto& ty : ys) {
    for (const auto& tx : xs) {
      const cv::Rect in_rect(tx.start, ty.start, tx.size, ty.size);
      cv::Mat tile_out;
      CVPIPE_RETURN_IF_ERROR(fn(padded(in_rect), tile_out));
      if (tile_out.size() != in_rect.size()) {
        return Status::runtime("tiling: a tile of " + std::to_string(in_rect.width) + "x" +
                               std::to_string(in_rect.height) + " came back as " + std::to_string(tile_out.cols) +
                               "x" + std::to_string(tile_out.rows));
      }
      if (out.empty()) out.create(padded.size(), tile_out.type());
      if (tile_out.type() != out.type()) return Status::runtime("tiling: tiles came back with different types");
      const cv::Rect keep(tx.keep_begin, ty.keep_begin, tx.keep_end - tx.keep_begin, ty.keep_end - ty.keep_begin);
      tile_out(keep - in_rect.tl()).copyTo(out(keep));
    }
  }
  dst = (pad_x || pad_y) ? out(cv::Rect(0, 0, src.cols, src.rows)).clone() : out;
  return {};
}

}  // namespace cvpipe::nn
