// Finding a model file (e.g. "models/classify_digits.safetensors") wherever cvpipe runs from: a
// build tree, the source tree, or an installed prefix. The host resolves every `model` parameter
// (ParamSpec::model) with it before a plugin runs; a plugin rarely needs it itself.
//
// An absolute path is used as is. A relative path is looked up, in order, in: the folder of the
// config or recipe that names it (base_dir); the current directory; $CVPIPE_MODELS (a folder
// holding models/... or the file itself by name); the cvpipe source tree; the install share
// folder next to the binary (<prefix>/lib/cvpipe/plugins/libX.so or <prefix>/bin/cvpipe ->
// <prefix>/share/cvpipe); the configured install share folder. not_found names every place that
// was tried; a folder or FIFO where the file should be is invalid_argument saying so.
//
// `anchor` is the address of any function of the calling binary: dladdr() maps it to its file.
// (The lookup cannot take the address of a function in this header: an inline function may
// resolve to another plugin's copy.) Thread-safe; touches only the file system.
#pragma once
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dlfcn.h>

#include "cvpipe/status.hpp"

namespace cvpipe {

struct ModelSearch {
  std::filesystem::path base_dir;         // the folder of the config naming the file ("" : skip)
  std::filesystem::path source_dir;       // the source tree the plugin was built from ("" : skip)
  std::filesystem::path install_datadir;  // the configured <prefix>/share/cvpipe ("" : skip)
  const void* anchor = nullptr;           // a function of the plugin (nullptr: skip the .so-relative folder)
};

// The folder of the shared object (or executable) that contains `address`; empty if unknown.
inline std::filesystem::path shared_object_dir(const void* address) {
  Dl_info info{};
  if (address && dladdr(address, &info) && info.dli_fname) {
    std::error_code ec;
    std::filesystem::path p = std::filesystem::canonical(info.dli_fname, ec);
    if (!ec) return p.parent_path();
  }
  return {};
}

inline Status find_model_file(const std::string& value, const ModelSearch& where, std::filesystem::path& out) {
  namespace fs = std::filesystem;
  if (value.empty()) return Status::invalid("model: no model file given");
  std::error_code ec;
  const fs::path p(value);
  // Something that exists but is no file (a folder, a FIFO) is named as such, not "not found".
  auto not_a_file = [&](const fs::path& c) {
    const auto st = fs::status(c, ec);
    return Status::invalid("model file '" + c.string() + "' is " +
                           (fs::is_directory(st) ? "a folder" : "not a regular file (a FIFO, device or socket)"));
  };
  if (p.is_absolute()) {
    if (fs::is_regular_file(p, ec)) {
      out = p;
      return {};
    }
    if (fs::exists(p, ec)) return not_a_file(p);
    return Status::not_found("model file '" + value + "' does not exist");
  }
  std::vector<fs::path> candidates;
  if (!where.base_dir.empty()) candidates.push_back(where.base_dir / p);
  candidates.push_back(fs::current_path(ec) / p);
  if (const char* env = std::getenv("CVPIPE_MODELS"); env && *env) {
    candidates.push_back(fs::path(env) / p);
    candidates.push_back(fs::path(env) / p.filename());
  }
  if (!where.source_dir.empty()) candidates.push_back(where.source_dir / p);
  if (const fs::path lib = shared_object_dir(where.anchor); !lib.empty()) {
    candidates.push_back(lib.parent_path().parent_path().parent_path() / "share" / "cvpipe" / p);  // lib/cvpipe/plugins
    candidates.push_back(lib.parent_path() / "share" / "cvpipe" / p);                                // bin
  }
  if (!where.install_datadir.empty()) candidates.push_back(where.install_datadir / p);
  std::string tried;
  std::vector<fs::path> seen;
  for (const auto& c : candidates) {
    const fs::path n = c.lexically_normal();
    if (std::find(seen.begin(), seen.end(), n) != seen.end()) continue;
    seen.push_back(n);
    if (fs::is_regular_file(n, ec)) {
      out = n;
      return {};
    }
    if (fs::exists(n, ec)) return not_a_file(n);
    tried += (tried.empty() ? "" : ", ") + n.string();
  }
  return Status::not_found("model file '" + value + "' not found (looked in: " + tried + ")");
}

}  // namespace cvpipe
