// PluginRegistry: loads plugin shared libraries (Boost.DLL) and hands out their stages and
// commands. Search path, in order: --plugin-path dirs, CVPIPE_PLUGIN_PATH (':'-separated),
// the build tree's plugins folder, the install prefix's plugins folder.
// Refuses, with a sentence naming the file: a library without the entry point, a wrong ABI
// version or tag, two plugins registering the same stage name. Objects it creates keep their
// library loaded while they live. Not thread-safe for loading; created stages are independent.
#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/plugin.hpp"

namespace boost::dll { class shared_library; }

namespace cvpipe {

struct LoadedPlugin {
  std::filesystem::path file;
  std::string name;
  std::string version;
  std::shared_ptr<boost::dll::shared_library> library;
  const CvpipePluginDescriptor* descriptor = nullptr;
};

// A stage instance that keeps its library alive and is destroyed by its own plugin.
using StageHandle = std::unique_ptr<Stage, std::function<void(Stage*)>>;

struct StageInfo {
  const StageEntry* entry;
  const LoadedPlugin* plugin;
};

struct CommandInfo {
  const CommandEntry* entry;
  const LoadedPlugin* plugin;
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // The default search path: extra dirs first, then env, build tree, install prefix.
  static std::vector<std::filesystem::path> search_path(const std::vector<std::filesystem::path>& extra);

  // Loads one library. Returns an error Status (io_error / invalid_argument) on refusal.
  Status load_file(const std::filesystem::path& file);
  // Loads every lib*.so in the folders of search_path(extra); the first error stops it.
  Status load_all(const std::vector<std::filesystem::path>& extra_dirs);

  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const StageInfo* find_stage(const std::string& name) const;
  std::vector<std::string> stage_names() const;  // sorted
  const CommandInfo* find_command(const std::string& plugin, const std::string& command) const;

  // Creates a stage; wraps create() failures into a Status.
  Status create_stage(const std::string& name, StageHandle& out) const;

 private:
  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<std::pair<std::string, StageInfo>> stages_;
  std::vector<std::pair<std::string, CommandInfo>> commands_;  // key "plugin.command"
};

}  // namespace cvpipe
