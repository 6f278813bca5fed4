// Overlapping tiles (used by denoise and inpaint), so a network with a bounded receptive field processes any image size in
// bounded memory. Each tile is read with `margin` pixels of context on every side that is not an
// image border, and only its centre is written to the output; when margin >= the network's
// receptive-field radius the result equals one pass over the whole image (up to float rounding).
//
// Guarantees: on each axis every tile has the same size, so a network plans one shape: the whole
// side when it fits in `tile`, else the fewest tiles of at most `tile` pixels that cover the side,
// shrunk equally; tile origins are multiples of `align` (so a 2x2 pixel-unshuffle grid lines up with the
// whole-image grid); the kept centres partition the output exactly. Images whose sides are not
// multiples of `align` are padded (BORDER_REFLECT_101) before tiling and cropped after.
// Stateless, thread-safe; `fn` runs on the calling thread, tile by tile, in raster order.
#pragma once
#include <functional>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/status.hpp"

namespace cvpipe::nn {

struct TilingOptions {
  int tile = 512;   // tile side including margins (rounded down to a multiple of align)
  int margin = 32;  // context on each inner side (rounded up to a multiple of align)
  int align = 2;
};

// One axis: a tile [start, start + size) whose pixels [keep_begin, keep_end) go to the output.
struct TileSpan {
  int start = 0, size = 0, keep_begin = 0, keep_end = 0;
};

// Spans covering [0, length) (length a multiple of align). Empty when length <= 0.
std::vector<TileSpan> tile_spans(int length, const TilingOptions& options);

// fn(tile_in, tile_out): tile_out must have tile_in's size (any type, the same for every tile).
using TileFn = std::function<Status(const cv::Mat& tile_in, cv::Mat& tile_out)>;

// Runs fn over the tiles of src and assembles dst (src's size, fn's output type).
Status process_tiled(const cv::Mat& src, cv::Mat& dst, const TilingOptions& options, const TileFn& fn);

}  // namespace cvpipe::nn
