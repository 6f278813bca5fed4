// Listing of an images source's files: see image_list.hpp.
#include "io/image_list.hpp"

#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <sstream>

#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_patterns(const std::string& include) {
  std::vector<std::string> out;
  std::stringstream ss(include);
  std::string p;
  while (std::getline(ss, p, ',')) {
    const auto b = p.find_first_not_of(" \t");
    const auto e = p.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(p.substr(b, e - b + 1));
  }
  return out;
}

bool included(const fs::path& file, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  const std::string name = file.filename().string();
  for (const auto& p : patterns)
    if (::fnmatch(p.c_str(), name.c_str(), FNM_CASEFOLD) == 0) return true;
  return false;
}

bool is_image_name(const fs::path& file) {
  const std::string ext = lower_extension(file.string());
  const auto& exts = image_extensions();
  return std::find(exts.begin(), exts.end(), ext) != exts.end();
}

bool hidden(const fs::path& file) {
  const std::string name = file.filename().string();
  return !name.empty() && name[0] == '.';
}

}  // namespace

bool is_glob(const std::string& s) { return s.find_first_of("*?[{") != std::string::npos; }

bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const bool da = std::isdigit(static_cast<unsigned char>(a[i])) != 0;
    const bool db = std::isdigit(static_cast<unsigned char>(b[j])) != 0;
    if (da && db) {
      size_t ie = i, je = j;
      while (ie < a.size() && std::isdigit(static_cast<unsigned char>(a[ie]))) ++ie;
      while (je < b.size() && std::isdigit(static_cast<unsigned char>(b[je]))) ++je;
      // Compare the runs as numbers: strip leading zeros, then by length, then digit-wise.
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js;
      const int c = a.compare(is, ie - is, b, js, je - js);
      if (c != 0) return c < 0;
      if (ie - i != je - j) return ie - i < je - j;  // "01" after "1": fewer leading zeros first
      i = ie;
      j = je;
      continue;
    }
    if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]);
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

Status list_image_files(const std::string& path, const std::string& include, std::vector<fs::path>& out) {
  out.clear();
  const auto patterns = split_patterns(include);
  std::error_code ec;
  if (path.empty()) return Status::invalid("images: 'path' is empty");
  if (!is_glob(path) || fs::exists(path, ec)) {
    if (fs::is_directory(path, ec)) {
      for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        std::error_code fe;
        if (!hidden(p) && it->is_regular_file(fe) && is_image_name(p) && included(p, patterns)) out.push_back(p);
      }
      if (ec) return Status::io("images: cannot list folder '" + path + "': " + ec.message());
      if (out.empty())
        return Status::not_found("images: folder '" + path + "' has no image files" +
                                 (patterns.empty() ? std::string() : " matching '" + include + "'"));
    } else if (fs::exists(path, ec)) {
      out.push_back(path);
    } else {
      return Status::not_found("images: '" + path + "' does not exist");
    }
  } else {
    glob_t g{};
    const int rc = ::glob(path.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) {
        fs::path p = g.gl_pathv[i];
        std::error_code fe;
        if (fs::is_regular_file(p, fe) && included(p, patterns)) out.push_back(std::move(p));
      }
    }
    ::globfree(&g);
    if (rc != 0 && rc != GLOB_NOMATCH) return Status::io("images: cannot expand pattern '" + path + "'");
    if (out.empty())
      return Status::not_found("images: no files match '" + path + "'" +
                               (patterns.empty() ? std::string() : " with include '" + include + "'"));
  }
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return natural_less(a.string(), b.string()); });
  return {};
}

}  // namespace cvpipe::io
