// Lists the files an images source reads. `path` is one file, a folder (the image files directly
// inside it, chosen by extension; hidden files skipped) or a glob pattern (glob(3): * ? [..] and
// {a,b} braces). `include` optionally keeps only file names matching one of its comma-separated
// patterns (e.g. "fruits.jpg,*.png"). The result is sorted by name in natural order
// (img2 < img10). Pure function of the file system; thread-safe.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "cvpipe/status.hpp"

namespace cvpipe::io {

Status list_image_files(const std::string& path, const std::string& include,
                        std::vector<std::filesystem::path>& out);

// True when `s` contains glob characters (* ? [ {).
bool is_glob(const std::string& s);

// Natural order: digit runs compare as numbers, the rest byte-wise.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace cvpipe::io
