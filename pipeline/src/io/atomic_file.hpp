// Atomic output files: data is written under a temporary name in the destination folder and
// renamed over the final name only when complete, so a reader (or a crashed run) never sees a
// half-written file under the final name. Temporary names are hidden (".NAME.tmp-PID-N.EXT")
// or, for long-lived outputs, "STEM.partial.EXT". Thread-safe.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe::io {

// Creates `dir` and its parents; an error names the folder.
Status ensure_folder(const std::filesystem::path& dir);

// ".NAME.tmp-PID-N.EXT" next to `final_path` (keeps the extension, so encoders pick the format).
std::filesystem::path temp_path_for(const std::filesystem::path& final_path);

// "STEM.partial.EXT" next to `final_path` (video and jsonl outputs while they are being written).
std::filesystem::path partial_path_for(const std::filesystem::path& final_path);

// Writes `size` bytes to a temp file, then renames it to `final_path` (replacing it).
Status write_file_atomic(const std::filesystem::path& final_path, const void* data, std::size_t size);

// Before a long write: `final_path` is not a folder and its folder accepts a new file (a hidden
// probe file is created and removed). Errors name the path and the reason (errno), so a sink
// fails once at open instead of after processing every frame.
Status check_writable(const std::filesystem::path& final_path);

// Renames a finished temp file to its final name; removes the temp file when that fails.
Status commit_file(const std::filesystem::path& temp, const std::filesystem::path& final_path);

}  // namespace cvpipe::io
