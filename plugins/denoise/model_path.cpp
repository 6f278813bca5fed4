// Model file lookup; see model_path.hpp (the search itself is the SDK's cvpipe/model_file.hpp).
#include "model_path.hpp"

#include "cvpipe/model_file.hpp"

namespace cvpipe::denoise {

std::string default_model_name(int channels) {
  return channels == 1 ? "models/denoise_gray.safetensors" : "models/denoise_color.safetensors";
}

Status resolve_model_path(const std::string& value, std::filesystem::path& out) {
  const ModelSearch where{{}, CVPIPE_DENOISE_SOURCE_DIR, CVPIPE_DENOISE_INSTALL_DATADIR,
                          reinterpret_cast<const void*>(&resolve_model_path)};
  return find_model_file(value, where, out);
}

}  // namespace cvpipe::denoise
