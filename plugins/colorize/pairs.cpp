// A/B pairs; see pairs.hpp.
#include "pairs.hpp"

#include <opencv2/imgcodecs.hpp>

#include "cvpipe/image_file.hpp"
#include "cvpipe/photos.hpp"

namespace cvpipe::colorize {

Status load_pairs(const std::filesystem::path& dir, std::vector<ImagePair>& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir / "a", ec)) return Status::not_found("pairs: '" + (dir / "a").string() + "' is not a folder");
  out.clear();
  for (const auto& fa : list_images(dir / "a")) {
    const fs::path fb = dir / "b" / fa.filename();
    ImagePair p;
    p.name = fa.filename().string();
    CVPIPE_RETURN_IF_ERROR(read_image(fa, cv::IMREAD_COLOR, p.a));
    CVPIPE_RETURN_IF_ERROR(read_image(fb, cv::IMREAD_COLOR, p.b));
    if (p.a.size() != p.b.size()) {
      return Status::invalid("pairs: '" + fa.string() + "' and '" + fb.string() + "' differ in size");
    }
    out.push_back(std::move(p));
  }
  if (out.empty()) return Status::not_found("pairs: no images in '" + (dir / "a").string() + "'");
  return {};
}

}  // namespace cvpipe::colorize
