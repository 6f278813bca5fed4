// libFuzzer target: the COCO annotations reader of the detect plugin (parse_coco) on arbitrary
// bytes; what it accepts must hold the invariants a detector relies on (every annotation refers to
// an image and a category that exist, boxes are finite and positive).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "coco.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  cvpipe::detect::CocoDataset d;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!cvpipe::detect::parse_coco(text, "fuzz/annotations.json", d).ok()) return 0;
  for (const auto& im : d.images)
    if (im.width <= 0 || im.height <= 0) std::abort();
  for (const auto& a : d.annotations) {
    if (d.class_index(a.category_id) < 0) std::abort();
    if (!std::isfinite(a.bbox.x) || !std::isfinite(a.bbox.y) || !(a.bbox.width > 0) || !(a.bbox.height > 0)) std::abort();
  }
  std::size_t placed = 0;
  for (const auto& list : d.annotations_by_image()) placed += list.size();
  if (placed != d.annotations.size()) std::abort();
  return 0;
}
