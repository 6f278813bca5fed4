// libFuzzer target: the `--set KEY=VALUE` parser. The input is split into lines, each one --set
// argument, applied to a fixed valid config (source, sink, runtime), as `cvpipe run --set` does.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "config.hpp"
#include "plugin_registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cvpipe::PluginRegistry registry;
  static const std::string yaml =
      "source: {type: images, path: /nonexistent-fuzz-dir/in}\n"
      "stages: []\n"
      "sinks:\n  - {type: images, path: /nonexistent-fuzz-dir/out}\n  - {type: jsonl, path: /nonexistent-fuzz-dir/f.jsonl}\n"
      "runtime: {queue: 4, on_error: skip}\n";
  cvpipe::ConfigOptions options;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(lines, line);) options.set_overrides.push_back(line);
  cvpipe::PipelineSpec spec;
  (void)cvpipe::load_config_text(yaml, "fuzz.yaml", "/nonexistent-fuzz-dir", registry, options, spec);
  return 0;
}
