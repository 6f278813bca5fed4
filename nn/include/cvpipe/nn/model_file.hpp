// The model file: one schema for every model plugin. A model file is a safetensors file holding a
// network's parameters and buffers (PyTorch state_dict names, see checkpoint.hpp) and, in
// __metadata__, these keys (all values are strings, as safetensors requires):
//   "format"          "pt" (so that safetensors.torch.load_file reads it)
//   "cvpipe.model"    the schema version, "1"
//   "cvpipe.version"  the cvpipe version that wrote the file
//   "architecture"    JSON object with at least "type" (e.g. "cdcgan"): what the plugin builds
//   "preprocessing"   JSON object: how images become network input and back
//   "class_names"     JSON array of strings (classifiers and conditional generators; optional)
//   "recipe"          JSON object: the training parameters (optional)
//   "command"         the command line that trained it (optional)
//   anything else     (metrics, training notes) is kept verbatim in ModelInfo::extra
// read_model_info() validates these keys and names the file and key in its error. It also reads
// the dialects of earlier files (classify's "arch"/"preprocess" with format "cvpipe.classify/1",
// gan's "arch" with format "cvpipe-gan-generator/1", denoise's "train_params"), so every shipped
// model keeps loading; save_model() always writes the keys above.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "cvpipe/plugin.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::nn {

inline constexpr const char* k_model_schema = "1";

struct ModelInfo {
  std::string architecture;              // JSON object with "type"
  std::string preprocessing = "{}";      // JSON object
  std::vector<std::string> class_names;  // empty: none
  std::string recipe;                    // JSON object or empty
  std::string command;                   // empty: unknown
  std::string version;                   // read from the file; save_model() writes this build's version
  std::map<std::string, std::string> extra;

  // The architecture's "type" ("" when architecture is not valid JSON).
  std::string architecture_type() const;
};

// A ModelInfo recording how a `cvpipe train` command made the model: the recipe's parameters and
// the command line (ctx.command_line).
ModelInfo trained_by(const Params& recipe, const CommandContext& ctx);

// The cvpipe version of this build.
const char* cvpipe_version();

// Validates the metadata (or one of the earlier dialects) into `out`; `label` names the file.
Status read_model_info(const std::map<std::string, std::string>& metadata, const std::string& label, ModelInfo& out);
// The metadata save_model() writes for `info`.
std::map<std::string, std::string> model_metadata(const ModelInfo& info);

// Writes `net` with `info` (atomic). The architecture must be a JSON object with a "type".
Status save_model(const std::filesystem::path& path, Layer& net, const ModelInfo& info, StDtype store = StDtype::F32);
// Reads the file's metadata and checks it (no network needed: for building the network first).
Status read_model_file(const std::filesystem::path& path, SafeTensors& file, ModelInfo& info);
// Reads and checks the file, then loads its weights into `net` (see import_module()).
Status load_model(const std::filesystem::path& path, Layer& net, ModelInfo* info = nullptr, const ImportOptions& options = {});

}  // namespace cvpipe::nn
