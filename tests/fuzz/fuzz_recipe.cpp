// libFuzzer target: the training recipe loader (load_recipe_text) on arbitrary YAML text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "plugin_registry.hpp"
#include "recipe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const cvpipe::PluginRegistry registry;
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  cvpipe::RecipeSpec spec;
  (void)cvpipe::load_recipe_text(yaml, "fuzz.yaml", "/nonexistent-fuzz-dir", registry, {}, spec);
  return 0;
}
