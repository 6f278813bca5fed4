// Model file lookup; see model_path.hpp (the search itself is the SDK's cvpipe/model_file.hpp).
#include "model_path.hpp"

#include "cvpipe/model_file.hpp"

namespace cvpipe::classify {

Status resolve_model_path(const std::string& value, std::filesystem::path& out) {
  const ModelSearch where{{}, CVPIPE_CLASSIFY_SOURCE_DIR, CVPIPE_CLASSIFY_INSTALL_DATADIR,
                          reinterpret_cast<const void*>(&resolve_model_path)};
  return find_model_file(value, where, out);
}

}  // namespace cvpipe::classify
