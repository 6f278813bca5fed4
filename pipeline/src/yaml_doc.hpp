// YamlDoc: a parsed YAML file (config or recipe) plus what is needed to report errors into it:
// FILE:LINE:COL locations (1-based) of nodes, ${VAR} expansion of scalars with errors at the
// scalar, `--set` overrides applied to the tree (errors at an overridden node name the `--set`
// argument instead of a file position), key checks with "did you mean". Not thread-safe.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "diagnostic.hpp"
#include "schema.hpp"

namespace cvpipe {

class YamlDoc {
 public:
  // `file_name` is how messages name the file; `diags` receives every error.
  YamlDoc(std::string file_name, Diagnostics& diags);

  // A config or recipe is at most this large and nested at most this deep.
  static constexpr std::uintmax_t kMaxYamlBytes = 16u << 20;
  static constexpr int kMaxYamlDepth = 64;

  // Reads and parses a regular file of at most kMaxYamlBytes (errors: missing, unreadable, not a
  // regular file (a FIFO would block), too large; then as load_text).
  bool load_file(const std::filesystem::path& file);
  // Parses text (errors: malformed YAML at its position, a second document, nesting deeper than
  // kMaxYamlDepth, a map key given twice). An empty document is a null root.
  bool load_text(const std::string& text);

  YAML::Node& root() { return root_; }
  const std::string& file_name() const { return file_; }
  Diagnostics& diagnostics() { return diags_; }

  // Where a node is: its file position; for a node set by --set, no file (the message names the
  // --set argument); for a node without position, `fallback`'s location, else the file itself.
  Location where(const YAML::Node& node, const YAML::Node& fallback = YAML::Node()) const;
  // Reports an error about `node` (see where()).
  void error(const YAML::Node& node, const std::string& message, const YAML::Node& fallback = YAML::Node());

  // A scalar's text with ${VAR} expanded; reports and returns false on an unset variable or a
  // non-scalar node (`what` names the value in that message, e.g. "'type'").
  bool text(const YAML::Node& node, std::string& out, const std::string& what = "value");

  // For a null node written as a word (`type: null`, `~`): that word; false when the value is absent.
  bool null_literal(const YAML::Node& node, std::string& out) const;

  // Reports every key of `map` that is not in `allowed` (with a suggestion) and keys given twice.
  // `owner` names the map in messages ("the stage item", "the config"). Returns true when clean.
  bool check_keys(const YAML::Node& map, const std::vector<std::string>& allowed, const std::string& owner);

  // True when `node` was set by --set.
  bool from_override(const YAML::Node& node) const;

  // Records that `value` (and a key named `key` without position) came from `--set origin`.
  void note_override(const YAML::Node& value, const std::string& key, const std::string& origin);

  // A MapValidation for validate_map whose errors go into this document.
  MapValidation validation(const std::filesystem::path& base_dir, const std::string& owner,
                           const std::string& noun, const YAML::Node& fallback);

 private:
  bool check_structure();
  struct Override {
    YAML::Node value;
    std::string key;
    std::string origin;  // "--set stages.blur.sigma=2"
  };
  const Override* find_override(const YAML::Node& node) const;

  std::string file_;
  std::vector<std::string> lines_;  // the text, for null_literal
  Diagnostics& diags_;
  YAML::Node root_;
  std::vector<Override> overrides_;
};

// Splits "KEY=VALUE" (first '='); false when there is no '=' or the key is empty.
bool split_assignment(const std::string& arg, std::string& key, std::string& value);

}  // namespace cvpipe
