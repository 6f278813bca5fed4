// YamlDoc: located errors, ${VAR} expansion and --set bookkeeping for YAML files (see yaml_doc.hpp).
#include "yaml_doc.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include "env_expand.hpp"
#include "suggest.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

YamlDoc::YamlDoc(std::string file_name, Diagnostics& diags) : file_(std::move(file_name)), diags_(diags) {}

bool YamlDoc::load_file(const fs::path& file) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (!fs::exists(status)) {
    diags_.error({}, "file '" + file.string() + "' does not exist");
    return false;
  }
  if (fs::is_directory(status)) {
    diags_.error({}, "'" + file.string() + "' is a folder, not a YAML file");
    return false;
  }
  // A FIFO or a device would block or never end: only regular files are read.
  if (!fs::is_regular_file(status)) {
    diags_.error({}, "'" + file.string() + "' is not a regular file (a pipe, socket or device), not a YAML file");
    return false;
  }
  if (fs::file_size(file, ec) > kMaxYamlBytes) {
    diags_.error({}, "'" + file.string() + "' is larger than " + std::to_string(kMaxYamlBytes >> 20) +
                         " MiB, too large for a YAML file");
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    diags_.error({}, "cannot read '" + file.string() + "'");
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_text(ss.str());
}

bool YamlDoc::check_structure() {
  // Iterative walk; a node reached again through an alias is not walked twice (alias bombs stay cheap).
  struct Item {
    YAML::Node node;
    int depth;
    std::string path;  // "" for the root, else "source", "stages[0].params", ...
  };
  std::set<std::size_t> visited;
  std::vector<Item> stack{{root_, 1, ""}};
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    const YAML::Node& node = item.node;
    if (!node.IsMap() && !node.IsSequence()) continue;
    if (!node.Mark().is_null() && !visited.insert(static_cast<std::size_t>(node.Mark().pos)).second) continue;
    if (item.depth > kMaxYamlDepth) {
      error(node, "nested more than " + std::to_string(kMaxYamlDepth) + " levels deep");
      return false;
    }
    if (node.IsSequence()) {
      for (std::size_t i = 0; i < node.size(); ++i)
        stack.push_back({node[i], item.depth + 1, item.path + "[" + std::to_string(i) + "]"});
      continue;
    }
    std::set<std::string> keys;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      if (it->first.IsScalar() && !keys.insert(key).second) {
        error(it->first, "key '" + key + "' is given twice " +
                             (item.path.empty() ? std::string("at the top level") : "in '" + item.path + "'"),
              node);
        return false;
      }
      stack.push_back({it->second, item.depth + 1, item.path.empty() ? key : item.path + "." + key});
    }
  }
  return true;
}

namespace {

// Records where each document starts; every other event is ignored.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Where a second document starts in `text`, if it has one. Not YAML::LoadAll: on some malformed
// text (a stray ',' line) yaml-cpp's parser stops advancing and LoadAll loops forever; here a
// document that does not start past the previous one ends the scan.
std::optional<YAML::Mark> second_document(const std::string& text) {
  std::stringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts handler;
  while (handler.starts.size() < 2 && parser.HandleNextDocument(handler)) {
    const auto n = handler.starts.size();
    if (n >= 2 && handler.starts[n - 1].pos <= handler.starts[n - 2].pos) return std::nullopt;
  }
  if (handler.starts.size() < 2) return std::nullopt;
  return handler.starts[1];
}

}  // namespace

bool YamlDoc::load_text(const std::string& text) {
  lines_.clear();
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) lines_.push_back(line);
  try {
    root_ = YAML::Load(text);
    if (const std::optional<YAML::Mark> second = second_document(text)) {
      diags_.error({file_, second->line + 1, second->column + 1},
                   "content after the first YAML document (a second document after '---'?): the file must hold exactly one");
      return false;
    }
    return check_structure();
  } catch (const YAML::DeepRecursion& e) {
    diags_.error({file_, e.mark.line + 1, e.mark.column + 1},
                 "malformed YAML: nested more than " + std::to_string(e.depth()) + " levels deep");
  } catch (const YAML::ParserException& e) {
    diags_.error({file_, e.mark.line + 1, e.mark.column + 1}, "malformed YAML: " + e.msg);
  } catch (const YAML::Exception& e) {
    diags_.error({file_, 0, 0}, std::string("malformed YAML: ") + e.what());
  }
  return false;
}

const YamlDoc::Override* YamlDoc::find_override(const YAML::Node& node) const {
  if (!node.IsDefined()) return nullptr;
  for (const auto& o : overrides_)
    if (o.value.is(node)) return &o;
  if (node.IsScalar())
    for (const auto& o : overrides_)
      if (o.key == node.Scalar()) return &o;
  return nullptr;
}

Location YamlDoc::where(const YAML::Node& node, const YAML::Node& fallback) const {
  if (node.IsDefined() && !node.Mark().is_null()) return {file_, node.Mark().line + 1, node.Mark().column + 1};
  if (find_override(node)) return {};
  if (fallback.IsDefined() && !fallback.Mark().is_null())
    return {file_, fallback.Mark().line + 1, fallback.Mark().column + 1};
  return {file_, 0, 0};
}

void YamlDoc::error(const YAML::Node& node, const std::string& message, const YAML::Node& fallback) {
  if (!(node.IsDefined() && !node.Mark().is_null())) {
    if (const Override* o = find_override(node)) {
      diags_.error({}, o->origin + ": " + message);
      return;
    }
  }
  diags_.error(where(node, fallback), message);
}

bool YamlDoc::null_literal(const YAML::Node& node, std::string& out) const {
  if (!node.IsDefined() || !node.IsNull() || node.Mark().is_null()) return false;
  const auto line = static_cast<size_t>(node.Mark().line), col = static_cast<size_t>(node.Mark().column);
  if (line >= lines_.size() || col >= lines_[line].size()) return false;
  const std::string rest = lines_[line].substr(col);
  const std::string token = rest.substr(0, rest.find_first_of(" \t,]}#\r"));
  if (token == "null" || token == "Null" || token == "NULL" || token == "~") {
    out = token;
    return true;
  }
  return false;
}

bool YamlDoc::text(const YAML::Node& node, std::string& out, const std::string& what) {
  if (null_literal(node, out)) return true;
  if (!node.IsDefined() || node.IsNull()) {
    error(node, what + " has no value");
    return false;
  }
  if (!node.IsScalar()) {
    error(node, what + " must be a single value, not a " + std::string(node.IsMap() ? "map" : "list"));
    return false;
  }
  Status st = expand_env(node.Scalar(), out);
  if (!st.ok()) {
    error(node, st.message());
    return false;
  }
  return true;
}

bool YamlDoc::check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& owner) {
  bool ok = true;  // keys given twice are refused at load (check_structure)
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    const std::string name = key.IsScalar() ? key.Scalar() : std::string("?");
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::string msg = "unknown key '" + name + "' in " + owner;
      if (auto m = closest_match(name, allowed)) msg += "; did you mean '" + *m + "'?";
      else msg += " (keys: " + join_names(allowed) + ")";
      error(key, msg, map);
      ok = false;
    }
  }
  return ok;
}

bool YamlDoc::from_override(const YAML::Node& node) const {
  if (!node.IsDefined()) return false;
  for (const auto& o : overrides_)
    if (o.value.is(node)) return true;
  return false;
}

void YamlDoc::note_override(const YAML::Node& value, const std::string& key, const std::string& origin) {
  overrides_.push_back({value, key, origin});
}

MapValidation YamlDoc::validation(const fs::path& base_dir, const std::string& owner, const std::string& noun,
                                  const YAML::Node& fallback) {
  MapValidation v;
  v.base_dir = base_dir;
  v.owner = owner;
  v.noun = noun;
  v.scalar_text = [this](const YAML::Node& n, std::string& out) { return text(n, out); };
  v.null_literal = [this](const YAML::Node& n, std::string& out) { return null_literal(n, out); };
  v.from_command_line = [this](const YAML::Node& n) { return from_override(n); };
  v.error = [this, fallback](const YAML::Node& n, const std::string& msg) { error(n, msg, fallback); };
  return v;
}

bool split_assignment(const std::string& arg, std::string& key, std::string& value) {
  const auto eq = arg.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  key = arg.substr(0, eq);
  value = arg.substr(eq + 1);
  return true;
}

}  // namespace cvpipe
