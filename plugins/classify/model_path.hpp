// Finding a classify model file. The `model` parameter of the stage and the eval command defaults
// to the relative path "models/classify_digits.safetensors" (the shipped model). A relative path is
// looked up, in order, in: the current directory, $CVPIPE_MODELS (a folder holding models/...
// or the file itself by name), the source tree this plugin was built from, and the install share
// folder (<prefix>/share/cvpipe, found next to the plugin file and at the configured prefix). An
// absolute path (what the host makes of every user-given path) is used as is.
#pragma once
#include <filesystem>
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe::classify {

inline constexpr const char* kDefaultModel = "models/classify_digits.safetensors";

// Finds `value`; not_found names every place that was tried.
Status resolve_model_path(const std::string& value, std::filesystem::path& out);

}  // namespace cvpipe::classify
