// Sample grids: tiles equally sized images into one contact sheet (row-major, `cols` per row, a
// `pad`-pixel gray border), and the per-class grid the trainer, demo and docs show: one row per
// class, `per_class` columns, fixed latents from a seed (so grids of successive steps compare).
#pragma once
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "generator.hpp"

namespace cvpipe::gan {

// images: CV_8UC1 or CV_8UC3, all the same size. Returns an 8-bit image of the input's channels.
cv::Mat tile_images(const std::vector<cv::Mat>& images, int cols, int pad = 2, int scale = 1);

// Runs `generator` (in its current mode) on per_class latents for every class; row c = class c.
// Returns 8-bit tiles, scaled `scale` times (nearest) for visibility.
cv::Mat class_grid(Generator& generator, int per_class, std::uint64_t seed, int scale = 2, double truncation = 0.0);

}  // namespace cvpipe::gan
