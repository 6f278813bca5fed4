// PluginRegistry on Boost.DLL (see plugin_registry.hpp).
#include "plugin_registry.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sstream>

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "elf_check.hpp"
#include "schema.hpp"
#include "suggest.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

bool valid_name(const char* s) {
  if (!s || !*s) return false;
  for (const char* p = s; *p; ++p)
    if (*p == '.' || *p == '=' || std::isspace(static_cast<unsigned char>(*p))) return false;
  return true;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

fs::path canonical_or_self(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal() : c;
}

bool is_plugin_file_name(const std::string& name) {
  return name.size() > 13 && name.rfind("libcvpipe_", 0) == 0 && name.compare(name.size() - 3, 3, ".so") == 0;
}

// Calls a descriptor function (params(), contract()) into `out`; "" or why it failed.
template <class Fn, class T>
std::string call_declaration(const char* what, Fn fn, T& out) {
  try {
    out = fn();
    return {};
  } catch (const std::exception& e) {
    return std::string("its ") + what + "() threw: " + e.what();
  } catch (...) {
    return std::string("its ") + what + "() threw an exception";
  }
}

}  // namespace

PluginRegistry::PluginRegistry() = default;

PluginRegistry::~PluginRegistry() {
  // Entries point into the libraries: drop them before the libraries go.
  stages_.clear();
  commands_.clear();
  plugins_.clear();
}

std::vector<fs::path> PluginRegistry::search_path(const std::vector<fs::path>& extra) {
  std::vector<fs::path> dirs(extra.begin(), extra.end());
  if (const char* env = std::getenv("CVPIPE_PLUGIN_PATH"); env && *env) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':'))
      if (!item.empty()) dirs.emplace_back(item);
  }
  boost::system::error_code ec;
  const auto program = boost::dll::program_location(ec);
#ifdef CVPIPE_BUILD_PLUGIN_DIR
  {
    // The build tree's plugins serve programs that run from that build tree (the CLI, tests); an
    // installed cvpipe uses the installed plugins, not whatever the build folder holds later.
    const fs::path build_root = canonical_or_self(fs::path(CVPIPE_BUILD_PLUGIN_DIR).parent_path());
    const fs::path prog = ec ? fs::path() : canonical_or_self(program.string());
    const auto rel = prog.lexically_relative(build_root);
    if (ec || (!rel.empty() && *rel.begin() != "..")) dirs.emplace_back(CVPIPE_BUILD_PLUGIN_DIR);
  }
#endif
  if (!ec) dirs.emplace_back(fs::path(program.string()).parent_path() / ".." / "lib" / "cvpipe" / "plugins");
#ifdef CVPIPE_INSTALL_PLUGIN_DIR
  dirs.emplace_back(CVPIPE_INSTALL_PLUGIN_DIR);
#endif
  std::vector<fs::path> unique;
  std::set<std::string> seen;
  for (const auto& d : dirs) {
    fs::path c = canonical_or_self(d);
    if (seen.insert(c.string()).second) unique.push_back(c);
  }
  return unique;
}

Status PluginRegistry::load_file(const fs::path& file) { return load_file(file, false); }

Status PluginRegistry::load_file(const fs::path& file_in, bool from_folder) {
  const fs::path file = canonical_or_self(file_in);
  for (const auto& p : plugins_) {
    if (p->file == file) return {};  // already loaded
    if (from_folder && p->file.filename() == file.filename() && p->file.parent_path() != file.parent_path())
      return {};  // shadowed by the same file name in an earlier folder
  }
  std::error_code fec;
  if (!fs::exists(file, fec)) return Status::not_found("plugin " + quoted(file) + " does not exist");
  // dlopen of a truncated file dies with SIGBUS instead of failing: check the file first.
  if (const std::string problem = shared_object_problem(file); !problem.empty())
    return Status::io("cannot load plugin " + quoted(file) + ": " + problem);

  auto lib = std::make_shared<boost::dll::shared_library>();
  boost::system::error_code ec;
  ::dlerror();
  lib->load(boost::dll::fs::path(file.string()), ec, boost::dll::load_mode::rtld_lazy | boost::dll::load_mode::rtld_local);
  if (ec || !lib->is_loaded()) {
    const char* err = ::dlerror();
    std::string why = err ? err : ec.message();
    // dlerror() repeats the path first: "/x/libcvpipe_a.so: invalid ELF header".
    if (why.rfind(file.string() + ": ", 0) == 0) why = why.substr(file.string().size() + 2);
    return Status::io("cannot load plugin " + quoted(file) + ": " + why);
  }
  if (!lib->has(CVPIPE_ENTRY_SYMBOL))
    return Status::invalid(quoted(file) + " is not a cvpipe plugin: it does not export '" CVPIPE_ENTRY_SYMBOL "'");

  using EntryFn = const CvpipePluginDescriptor*();
  const CvpipePluginDescriptor* d = nullptr;
  try {
    d = lib->get<EntryFn>(CVPIPE_ENTRY_SYMBOL)();
  } catch (...) {
    d = nullptr;
  }
  const std::string who = "plugin " + quoted(file);
  if (!d) return Status::invalid(who + " returned no descriptor from '" CVPIPE_ENTRY_SYMBOL "'");
  // Plain C fields first: nothing else of the descriptor is trusted before these match.
  if (d->abi_version != CVPIPE_ABI_VERSION)
    return Status::invalid(who + " was built for plugin ABI " + std::to_string(d->abi_version) + ", this cvpipe needs " +
                           std::to_string(CVPIPE_ABI_VERSION) + "; rebuild the plugin against this cvpipe");
  const std::string tag = d->abi_tag ? d->abi_tag : "";
  if (tag != CVPIPE_ABI_TAG)
    return Status::invalid(who + " was built with ABI tag '" + tag + "', this cvpipe has '" CVPIPE_ABI_TAG
                           "'; rebuild it with the same compiler, C++ runtime and OpenCV major version");
  if (!valid_name(d->name))
    return Status::invalid(who + " has an empty plugin name or one with '.', '=' or spaces");
  if ((d->stage_count && !d->stages) || (d->command_count && !d->commands))
    return Status::invalid(who + " has a malformed descriptor (entry count without entries)");

  for (const auto& p : plugins_) {
    if (p->name != d->name) continue;
    if (from_folder && p->file.parent_path() != file.parent_path()) return {};  // shadowed by an earlier folder
    return Status::invalid(who + " is named '" + p->name + "', like the already loaded plugin " + quoted(p->file));
  }

  auto plugin = std::make_unique<LoadedPlugin>();
  plugin->file = file;
  plugin->name = d->name;
  plugin->version = d->version ? d->version : "";
  plugin->library = lib;
  plugin->descriptor = d;

  std::vector<std::pair<std::string, StageInfo>> new_stages;
  for (size_t i = 0; i < d->stage_count; ++i) {
    const StageEntry& e = d->stages[i];
    if (!valid_name(e.name)) return Status::invalid(who + " has a stage with an empty name or one with '.', '=' or spaces");
    const std::string name = e.name;
    if (!e.params || !e.contract || !e.create || !e.destroy)
      return Status::invalid(who + ": stage '" + name + "' lacks its params, contract, create or destroy function");
    if (e.kind != StageKind::source && e.kind != StageKind::transform && e.kind != StageKind::sink)
      return Status::invalid(who + ": stage '" + name + "' has an unknown kind");
    for (const auto& [other, info] : stages_)
      if (other == name)
        return Status::invalid(who + " registers stage '" + name + "', which plugin " + quoted(info.plugin->file) +
                               " already registers; remove one of the two files from the plugin path");
    for (const auto& [other, info] : new_stages)
      if (other == name) return Status::invalid(who + " registers stage '" + name + "' twice");
    StageInfo info{&e, plugin.get(), {}, {}};
    if (auto err = call_declaration("params", e.params, info.params); !err.empty())
      return Status::invalid(who + ": stage '" + name + "': " + err);
    if (auto err = call_declaration("contract", e.contract, info.contract); !err.empty())
      return Status::invalid(who + ": stage '" + name + "': " + err);
    if (auto err = check_schema(info.params); !err.empty())
      return Status::invalid(who + ": stage '" + name + "' declares a bad schema: " + err);
    new_stages.emplace_back(name, std::move(info));
  }
  std::vector<std::pair<std::string, CommandInfo>> new_commands;
  for (size_t i = 0; i < d->command_count; ++i) {
    const CommandEntry& e = d->commands[i];
    if (!valid_name(e.name)) return Status::invalid(who + " has a command with an empty name or one with '.', '=' or spaces");
    const std::string key = plugin->name + "." + e.name;
    if (!e.params || !e.run) return Status::invalid(who + ": command '" + std::string(e.name) + "' lacks its params or run function");
    for (const auto& [other, info] : new_commands)
      if (other == key) return Status::invalid(who + " registers command '" + std::string(e.name) + "' twice");
    CommandInfo info{&e, plugin.get(), {}};
    if (auto err = call_declaration("params", e.params, info.params); !err.empty())
      return Status::invalid(who + ": command '" + std::string(e.name) + "': " + err);
    if (auto err = check_schema(info.params); !err.empty())
      return Status::invalid(who + ": command '" + std::string(e.name) + "' declares a bad schema: " + err);
    new_commands.emplace_back(key, std::move(info));
  }
  for (auto& s : new_stages) stages_.push_back(std::move(s));
  for (auto& c : new_commands) commands_.push_back(std::move(c));
  plugins_.push_back(std::move(plugin));
  return {};
}

Status PluginRegistry::load_all(const std::vector<fs::path>& extra_dirs) {
  for (const auto& d : extra_dirs) {
    std::error_code ec;
    if (!fs::is_directory(d, ec)) return Status::not_found("plugin folder " + quoted(d) + " does not exist");
  }
  const auto is_extra = [&](const fs::path& dir) {
    return std::any_of(extra_dirs.begin(), extra_dirs.end(), [&](const fs::path& d) { return fs::weakly_canonical(d) == fs::weakly_canonical(dir); });
  };
  for (const auto& dir : search_path(extra_dirs)) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string n = it->path().filename().string();
      if (is_plugin_file_name(n)) files.push_back(it->path());
      else if (is_extra(dir) && (n.ends_with(".so") || n.find(".so.") != std::string::npos)) ignored_.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (Status st = load_file(f, true); !st.ok()) refused_.push_back(std::move(st));
  }
  std::sort(ignored_.begin(), ignored_.end());
  return {};
}

std::string PluginRegistry::refusals_note() const {
  if (refused_.empty()) return {};
  std::string note = " (" + std::to_string(refused_.size()) + " plugin file" + (refused_.size() == 1 ? "" : "s") +
                     " could not be loaded: ";
  for (std::size_t i = 0; i < refused_.size(); ++i) note += (i ? "; " : "") + refused_[i].message();
  return note + ")";
}

const LoadedPlugin* PluginRegistry::find_plugin(const std::string& name) const {
  for (const auto& p : plugins_)
    if (p->name == name) return p.get();
  return nullptr;
}

const StageInfo* PluginRegistry::find_stage(const std::string& name) const {
  for (const auto& [n, info] : stages_)
    if (n == name) return &info;
  if (auto dot = name.find('.'); dot != std::string::npos) {
    const std::string plugin = name.substr(0, dot), stage = name.substr(dot + 1);
    for (const auto& [n, info] : stages_)
      if (n == stage && info.plugin->name == plugin) return &info;
  }
  return nullptr;
}

std::vector<std::string> PluginRegistry::stage_names() const {
  std::vector<std::string> names;
  for (const auto& [n, info] : stages_) names.push_back(n);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<const StageInfo*> PluginRegistry::stages_of(const LoadedPlugin& plugin) const {
  std::vector<const StageInfo*> out;
  for (const auto& [n, info] : stages_)
    if (info.plugin == &plugin) out.push_back(&info);
  return out;
}

const CommandInfo* PluginRegistry::find_command(const std::string& plugin, const std::string& command) const {
  const std::string key = plugin + "." + command;
  for (const auto& [k, info] : commands_)
    if (k == key) return &info;
  return nullptr;
}

std::vector<const CommandInfo*> PluginRegistry::commands_of(const LoadedPlugin& plugin) const {
  std::vector<const CommandInfo*> out;
  for (const auto& [k, info] : commands_)
    if (info.plugin == &plugin) out.push_back(&info);
  return out;
}

Status PluginRegistry::create_stage(const std::string& name, StageHandle& out) const {
  const StageInfo* info = find_stage(name);
  if (!info) return Status::not_found("unknown stage '" + name + "'" + did_you_mean(name, stage_names()) + refusals_note());
  Stage* raw = nullptr;
  try {
    raw = info->entry->create();
  } catch (...) {
    raw = nullptr;
  }
  if (!raw)
    return Status::runtime("stage '" + name + "' of plugin " + quoted(info->plugin->file) + " could not be created");
  auto destroy = info->entry->destroy;
  auto keep_alive = info->plugin->library;
  out = StageHandle(raw, [destroy, keep_alive](Stage* s) { destroy(s); });
  return {};
}

}  // namespace cvpipe
