// Model file lookup; see model_path.hpp.
#include "model_path.hpp"

#include <cstdlib>
#include <vector>

#include <dlfcn.h>

namespace cvpipe::denoise {

namespace fs = std::filesystem;

namespace {

// The folder of the shared object this code was linked into (the plugin .so, or a test binary).
fs::path this_object_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&this_object_dir), &info) && info.dli_fname) {
    std::error_code ec;
    fs::path p = fs::canonical(info.dli_fname, ec);
    if (!ec) return p.parent_path();
  }
  return {};
}

}  // namespace

std::string default_model_name(int channels) {
  return channels == 1 ? "models/denoise_gray.safetensors" : "models/denoise_color.safetensors";
}

Status resolve_model_path(const std::string& value, fs::path& out) {
  if (value.empty()) return Status::invalid("model: no model file given");
  std::error_code ec;
  const fs::path p(value);
  if (p.is_absolute()) {
    if (fs::is_regular_file(p, ec)) {
      out = p;
      return {};
    }
    return Status::not_found("model file '" + value + "' does not exist");
  }
  std::vector<fs::path> candidates;
  candidates.push_back(fs::current_path(ec) / p);
  if (const char* env = std::getenv("CVPIPE_MODELS"); env && *env) {
    candidates.push_back(fs::path(env) / p);
    candidates.push_back(fs::path(env) / p.filename());
  }
#ifdef CVPIPE_DENOISE_SOURCE_DIR
  candidates.push_back(fs::path(CVPIPE_DENOISE_SOURCE_DIR) / p);
#endif
  if (const fs::path lib = this_object_dir(); !lib.empty()) {
    // <prefix>/lib/cvpipe/plugins/libcvpipe_denoise.so -> <prefix>/share/cvpipe/<value>
    candidates.push_back(lib.parent_path().parent_path().parent_path() / "share" / "cvpipe" / p);
  }
#ifdef CVPIPE_DENOISE_INSTALL_DATADIR
  candidates.push_back(fs::path(CVPIPE_DENOISE_INSTALL_DATADIR) / p);
#endif
  std::string tried;
  for (const auto& c : candidates) {
    if (fs::is_regular_file(c, ec)) {
      out = c.lexically_normal();
      return {};
    }
    tried += (tried.empty() ? "" : ", ") + c.lexically_normal().string();
  }
  return Status::not_found("model file '" + value + "' not found (looked in: " + tried + ")");
}

}  // namespace cvpipe::denoise
