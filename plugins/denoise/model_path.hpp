// Finding the denoise model file. The `model` parameter (stage and eval) may be empty: the shipped
// model for the image's channel count is used, models/denoise_gray.safetensors (1 channel) or
// models/denoise_color.safetensors (3 channels). A relative path is looked up, in order, in the
// current directory, $CVPIPE_MODELS (a folder holding models/... or the file by name), the source
// tree this plugin was built from, and the install share folder (<prefix>/share/cvpipe, found next
// to the plugin file and at the configured prefix). An absolute path is used as is.
#pragma once
#include <filesystem>
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe::denoise {

// "models/denoise_gray.safetensors" for 1 channel, "models/denoise_color.safetensors" otherwise.
std::string default_model_name(int channels);

// Finds `value`; not_found names every place that was tried.
Status resolve_model_path(const std::string& value, std::filesystem::path& out);

}  // namespace cvpipe::denoise
