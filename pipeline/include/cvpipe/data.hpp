// Where sample data lives: $CVPIPE_DATA when set, else the opencv-doc sample folder.
// Nothing is ever downloaded; training and tests read only from here or from user paths.
#pragma once
#include <cstdlib>
#include <filesystem>

namespace cvpipe {

inline std::filesystem::path data_dir() {
  if (const char* env = std::getenv("CVPIPE_DATA"); env && *env) return env;
  return "/usr/share/doc/opencv-doc/examples/data";
}

}  // namespace cvpipe
