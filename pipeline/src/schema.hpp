// Validation of user values against a ParamSpec schema (stage parameters, source/sink options,
// runtime keys, command parameters). Checks type, keywords, range, choices and, for paths,
// resolution against a base folder and existence; fills defaults; suggests the closest name for
// unknown keys and choices. Schemas themselves are checked when a plugin loads (check_schema).
// Pure functions; thread-safe.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "cvpipe/params.hpp"

namespace cvpipe {

// "an integer", "a number", "true or false", "one of: a, b" ... (what a value must look like).
std::string expected_text(const ParamSpec& spec);

// "[1, 31]", ">= 0", "one of: a, b", "" ... (a spec's constraint, for messages and `plugins show`).
std::string constraint_text(const ParamSpec& spec);

// Resolves a path value: "" stays "", "~/" uses $HOME, URIs ("x://") stay as given, relative
// paths are taken against base_dir (the working directory when base_dir is empty). Absolute, normal.
std::string resolve_path(const std::string& value, const std::filesystem::path& base_dir);

// "" when `resolved` exists (for a glob: when its folder exists); else a message.
std::string check_path_exists(const std::string& resolved);

// Converts a scalar text into a value for `spec`; "" on success, else a message (which does not
// name the parameter), e.g. "expected a number, got 'abc'" or "40 is out of range [1, 31]".
std::string convert_text(const ParamSpec& spec, const std::string& text,
                         const std::filesystem::path& base_dir, ParamValue& out);

// Checks a schema is well formed: non-empty unique names without '.', '=' or spaces; defaults of
// the right type, within range, among the choices. "" when fine, else a message naming the parameter.
std::string check_schema(const std::vector<ParamSpec>& schema);

const ParamSpec* find_param(const std::vector<ParamSpec>& schema, const std::string& name);
std::vector<std::string> param_names(const std::vector<ParamSpec>& schema);

// Sets every parameter absent from `out` that has a default (default paths are checked for
// existence when must_exist, not resolved). Returns the names of required parameters still missing.
std::vector<std::string> fill_defaults(const std::vector<ParamSpec>& schema, Params& out,
                                       std::vector<std::string>* default_errors = nullptr);

// How validate_map reports problems and reads scalars.
struct MapValidation {
  std::filesystem::path base_dir;  // relative paths resolve here
  std::string owner;               // "stage 'blur'", "source 'images'": who the keys belong to
  std::string noun = "parameter";  // "parameter" or "option"
  // Reads a scalar's text (e.g. expanding ${VAR}); returns false after reporting an error itself.
  std::function<bool(const YAML::Node&, std::string&)> scalar_text;
  // For a null value: the literal the file holds ("null", "~"), so `type: null` can mean the word;
  // returns false when the value is really absent (`key:` with nothing).
  std::function<bool(const YAML::Node&, std::string&)> null_literal;
  // True for a value typed on the command line (--set): its relative paths resolve against the
  // working directory, like --input and --output, not against base_dir.
  std::function<bool(const YAML::Node&)> from_command_line;
  // Receives each problem and the node it is about (a key or a value).
  std::function<void(const YAML::Node&, const std::string&)> error;
};

// Validates every key of `map` (except those in `skip`) against `schema` into `out` and fills
// defaults. A missing required parameter is reported at `map` itself. Returns true without errors.
// `map` may be null/undefined (nothing given: only defaults).
bool validate_map(const std::vector<ParamSpec>& schema, const YAML::Node& map,
                  const std::vector<std::string>& skip, const MapValidation& v, Params& out);

// The same for name/value texts from a command line (e.g. `cvpipe eval --sigma 25`).
// Returns the messages of every problem (empty when valid).
std::vector<std::string> validate_texts(const std::vector<ParamSpec>& schema,
                                        const std::vector<std::pair<std::string, std::string>>& values,
                                        const std::filesystem::path& base_dir, const std::string& owner,
                                        const std::string& noun, Params& out);

// "parameter 'sigma' of stage 'blur'" (owner may be empty).
std::string describe_param(const std::string& noun, const std::string& name, const std::string& owner);

}  // namespace cvpipe
