// PluginRegistry: loads plugin shared libraries (Boost.DLL) and hands out their stages and
// commands. Search path, in order: --plugin-path dirs, CVPIPE_PLUGIN_PATH (':'-separated),
// the build tree's plugins folder (only for programs that run from inside that build tree), the
// install prefix's plugins folder (next to the running program: ../lib/cvpipe/plugins, then the
// configured install prefix). In folders only files
// named libcvpipe_*.so are loaded (sorted by name); load_file takes any path. Like PATH, the
// first folder wins: a file name or plugin name already loaded from an earlier folder is skipped.
// Refuses, with a sentence naming the file: a library that cannot be loaded (dlopen's reason), a
// library without the entry point, a wrong ABI version or tag, a malformed descriptor or
// parameter schema, two plugins registering the same stage name (naming both files).
// A folder scan is resilient: a refused file is skipped and kept in refused() with its reason, so
// one broken library never stops the others; a lookup that fails names the refusals
// (refusals_note()), since a skipped file may be the one that provides the stage. Shared
// libraries in --plugin-path folders that are not named libcvpipe_*.so are kept in ignored().
// Objects it creates keep their library loaded while they live. Not thread-safe for loading;
// lookups are const and may run concurrently; created stages are independent.
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
  std::vector<ParamSpec> params;  // entry->params(), read and checked once at load
  StageContract contract;         // entry->contract(), read once at load
};

struct CommandInfo {
  const CommandEntry* entry;
  const LoadedPlugin* plugin;
  std::vector<ParamSpec> params;  // entry->params(), read and checked once at load
};

class PluginRegistry {
 public:
  PluginRegistry();
  ~PluginRegistry();
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // The default search path: extra dirs first, then env, build tree, install prefix (duplicates removed;
  // folders that do not exist are kept, load_all skips them).
  static std::vector<std::filesystem::path> search_path(const std::vector<std::filesystem::path>& extra);

  // Loads one library. Returns an error Status (io_error / invalid_argument) on refusal; loading
  // the same file twice is a no-op.
  Status load_file(const std::filesystem::path& file);
  // Loads every libcvpipe_*.so in the folders of search_path(extra); refusals are skipped and kept
  // in refused(). Only an extra dir that does not exist is an error.
  Status load_all(const std::vector<std::filesystem::path>& extra_dirs);
  // Files a folder scan refused, each with its reason (the message names the file).
  const std::vector<Status>& refused() const { return refused_; }
  // Shared libraries (*.so, *.so.N) in the extra dirs that are not named libcvpipe_*.so: not loaded.
  const std::vector<std::filesystem::path>& ignored() const { return ignored_; }
  // "" when nothing was refused, else " (N plugin file(s) could not be loaded: REASON; ...)" for
  // messages about a stage or command that was not found.
  std::string refusals_note() const;

  const std::vector<std::unique_ptr<LoadedPlugin>>& plugins() const { return plugins_; }
  const LoadedPlugin* find_plugin(const std::string& name) const;
  // A stage by its registered name, or as "plugin.stage".
  const StageInfo* find_stage(const std::string& name) const;
  std::vector<std::string> stage_names() const;  // sorted
  std::vector<const StageInfo*> stages_of(const LoadedPlugin& plugin) const;  // in declaration order
  const CommandInfo* find_command(const std::string& plugin, const std::string& command) const;
  std::vector<const CommandInfo*> commands_of(const LoadedPlugin& plugin) const;

  // Creates a stage; wraps create() failures into a Status.
  Status create_stage(const std::string& name, StageHandle& out) const;

 private:
  Status load_file(const std::filesystem::path& file, bool from_folder);

  std::vector<std::unique_ptr<LoadedPlugin>> plugins_;
  std::vector<std::pair<std::string, StageInfo>> stages_;
  std::vector<std::pair<std::string, CommandInfo>> commands_;  // key "plugin.command"
  std::vector<Status> refused_;
  std::vector<std::filesystem::path> ignored_;
};

}  // namespace cvpipe
