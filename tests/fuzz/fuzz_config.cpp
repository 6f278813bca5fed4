// libFuzzer target: the pipeline config loader (load_config_text) on arbitrary YAML text. Any
// input must end in a Status (ok or a diagnostic), never a crash, hang, leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config.hpp"
#include "plugin_registry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cvpipe::PluginRegistry registry;
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  cvpipe::ConfigOptions options;
  options.require_source = false;
  cvpipe::PipelineSpec spec;
  (void)cvpipe::load_config_text(yaml, "fuzz.yaml", "/nonexistent-fuzz-dir", registry, options, spec);
  return 0;
}
