// `cvpipe export MODEL.safetensors --onnx OUT.onnx [--check] [--tolerance T] [--json]`: writes a
// model file's network as ONNX (docs/onnx.md). The model file's architecture type picks the plugin
// command "export:<type>" (cvpipe/nn/onnx.hpp), which builds the network and writes the file
// atomically. --check also runs the file with OpenCV dnn and fails (exit 1) when its output differs
// from the engine's by more than the tolerance. Exit: 0 ok, 1 failure, 2 usage error or a model
// file that cannot be read or has no exporter.
#include <cstdio>
#include <memory>

#include "cli_common.hpp"
#include "commands.hpp"
#include "cvpipe/nn/model_file.hpp"
#include "suggest.hpp"

namespace cvpipe::cli {

namespace {

constexpr const char* kPrefix = "export:";

struct ExportArgs {
  std::string model, onnx;
  bool check = false, json = false;
  double tolerance = 1e-4;
  std::vector<std::string> plugin_paths;
};

int run_export(const ExportArgs& a) {
  std::error_code ec;
  const std::filesystem::path model = std::filesystem::absolute(a.model, ec);
  if (!std::filesystem::is_regular_file(model, ec)) {
    print_error("export: model file '" + a.model + "' does not exist");
    return kExitUsage;
  }
  nn::SafeTensors st;
  nn::ModelInfo info;
  if (Status s = nn::read_model_file(model, st, info); !s.ok()) {
    print_error("export: " + s.message());
    return kExitUsage;
  }
  PluginRegistry registry;
  if (!load_plugins(registry, a.plugin_paths)) return kExitUsage;
  const std::string wanted = kPrefix + info.architecture_type();
  const CommandInfo* command = nullptr;
  std::vector<std::string> types;
  for (const auto& p : registry.plugins())
    for (const auto* c : registry.commands_of(*p)) {
      const std::string name = c->entry->name;
      if (name.rfind(kPrefix, 0) != 0) continue;
      types.push_back(name.substr(std::string(kPrefix).size()));
      if (name == wanted) command = c;
    }
  if (!command) {
    print_error("export: " + a.model + ": no loaded plugin exports architecture type '" + info.architecture_type() +
                "'" + (types.empty() ? std::string("; no plugin exports any") : "; exportable types: " + join_names(types)));
    return kExitUsage;
  }
  Params params;
  params.set("model", model.string());
  params.set("onnx", a.onnx);
  params.set("check", a.check);
  params.set("tolerance", a.tolerance);
  CommandContext ctx;
  ctx.config_dir = std::filesystem::current_path(ec);
  return run_plugin_command(*command, params, ctx, a.json);
}

}  // namespace

Subcommand add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export", "write a model file's network as an ONNX model (docs/onnx.md)");
  cmd->add_option("MODEL", args->model, "the model file (.safetensors)")->required()->type_name("MODEL");
  cmd->add_option("--onnx", args->onnx, "the ONNX file to write (atomically)")->required()->type_name("FILE");
  cmd->add_flag("--check", args->check, "also run the file with OpenCV dnn and compare with the engine");
  cmd->add_option("--tolerance", args->tolerance, "--check: largest allowed absolute difference (default 1e-4)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "print the result as one JSON object");
  add_plugin_path_option(cmd, args->plugin_paths);
  return {cmd, [args] { return run_export(*args); }};
}

}  // namespace cvpipe::cli
