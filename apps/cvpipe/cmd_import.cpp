// `cvpipe import MODEL.onnx --out MODEL.safetensors [--size WxH] [--json]`: turns an ONNX graph of
// the ops the engine has into a model file (architecture type "onnx_graph", docs/onnx.md) that the
// engine runs and fine-tunes, and `cvpipe export` writes back as ONNX. An unsupported op is an
// error listing every such node, before anything is written. Exit: 0 ok, 1 the model file could
// not be written, 2 usage error, unreadable or unsupported ONNX file.
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "cvpipe/nn/onnx.hpp"

namespace cvpipe::cli {

namespace {

struct ImportArgs {
  std::string onnx, out, size;
  bool json = false;
};

int run_import(const ImportArgs& a) {
  nn::Dims dims;
  if (!a.size.empty()) {
    int w = 0, h = 0;
    char x = 0;
    if (std::sscanf(a.size.c_str(), "%d%c%d", &w, &x, &h) != 3 || x != 'x' || w <= 0 || h <= 0) {
      print_error("import: --size must be WIDTHxHEIGHT, e.g. 224x224 (got '" + a.size + "')");
      return kExitUsage;
    }
    dims = {0, 0, h, w};
  }
  nn::OnnxImport imported;
  if (Status s = nn::import_onnx(a.onnx, dims, imported); !s.ok()) {
    print_error("import: " + s.message());
    return kExitUsage;
  }
  if (Status s = nn::save_model(a.out, *imported.net, imported.info); !s.ok()) {
    print_error("import: " + s.message());
    return exit_code_for(s) == kExitUsage ? kExitFailure : exit_code_for(s);
  }
  std::int64_t params = 0;
  for (auto* p : imported.net->parameters()) params += p->numel();
  const nlohmann::json j = {{"onnx", a.onnx}, {"model", a.out}, {"input", imported.io.input_dims},
                            {"nodes", imported.net->children().size()}, {"parameters", params}};
  if (a.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    for (const auto& [k, v] : j.items()) std::printf("%s: %s\n", k.c_str(), v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
  }
  return kExitOk;
}

}  // namespace

Subcommand add_import_command(CLI::App& app) {
  auto args = std::make_shared<ImportArgs>();
  CLI::App* cmd = app.add_subcommand("import", "turn an ONNX model into a cvpipe model file (docs/onnx.md)");
  cmd->add_option("ONNX", args->onnx, "the ONNX file")->required()->check(CLI::ExistingFile)->type_name("ONNX");
  cmd->add_option("--out", args->out, "the model file to write (.safetensors, atomically)")->required()->type_name("FILE");
  cmd->add_option("--size", args->size, "input WIDTHxHEIGHT for free input dims (shape arithmetic is folded for it)")
      ->type_name("WxH");
  cmd->add_flag("--json", args->json, "print the result as one JSON object");
  return {cmd, [args] { return run_import(*args); }};
}

}  // namespace cvpipe::cli
