// Location::str(): "file:line:col", "file" or "" for messages that point into a config file.
#include "spec.hpp"

namespace cvpipe {

std::string Location::str() const {
  if (file.empty()) return {};
  if (line <= 0) return file;
  std::string s = file + ":" + std::to_string(line);
  if (col > 0) s += ":" + std::to_string(col);
  return s;
}

}  // namespace cvpipe
