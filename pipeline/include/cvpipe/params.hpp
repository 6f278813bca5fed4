// Parameter schemas and values. A stage or command declares its parameters once (ParamSpec);
// the host validates user values against the schema before anything runs, fills defaults,
// resolves `path` values against the config's folder and finds `model` files (a path, or a file
// under the model search folders of cvpipe/model_file.hpp; not found is an error listing them). A stage therefore receives only valid,
// complete Params and may read them without further checks.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cvpipe {

enum class ParamType { boolean, integer, number, string, path, choice, model };

// Values: bool, integer, number, or string (string, path and choice all hold a string).
using ParamValue = std::variant<bool, int64_t, double, std::string>;

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::string;
  std::optional<ParamValue> default_value;  // none: the parameter is required
  std::optional<double> min, max;           // inclusive, for integer and number
  std::vector<std::string> choices;         // for choice
  std::vector<std::string> keywords;        // words an integer/number also accepts, e.g. "auto"
  bool must_exist = false;                  // for path: the file or folder must exist
  std::string doc;                          // one line

  bool required() const { return !default_value.has_value(); }

  // Builders, so schemas read as a table.
  static ParamSpec boolean(std::string name, bool def, std::string doc);
  static ParamSpec integer(std::string name, std::optional<int64_t> def, std::optional<double> min,
                           std::optional<double> max, std::string doc);
  static ParamSpec number(std::string name, std::optional<double> def, std::optional<double> min,
                          std::optional<double> max, std::string doc);
  static ParamSpec string(std::string name, std::optional<std::string> def, std::string doc);
  static ParamSpec path(std::string name, std::optional<std::string> def, bool must_exist, std::string doc);
  static ParamSpec choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc);
  // A model file the host finds before the plugin runs: the plugin receives an absolute path to an
  // existing file. `def`: the plugin's default model (e.g. "models/classify_digits.safetensors"),
  // "" for none (the value then stays "" unless the user gives one).
  static ParamSpec model(std::string name, std::string def, std::string doc);
  ParamSpec& also_accepts(std::vector<std::string> words) { keywords = std::move(words); return *this; }
};

const char* to_string(ParamType t);
std::string format_value(const ParamValue& v);

// Validated values by name. Getters convert int<->double. Reading a name the stage did not declare
// throws std::out_of_range ("parameter 'x' is not declared; declared: a, b"), reading a value as
// another type std::logic_error ("parameter 'x' holds a string, read as a number"): programming
// errors in the plugin, which the host reports with the stage's name.
class Params {
 public:
  Params() = default;
  void set(const std::string& name, ParamValue v) { values_[name] = std::move(v); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const ParamValue& get(const std::string& name) const;
  bool get_bool(const std::string& name) const { return typed<bool>(name, "a bool"); }
  int64_t get_int(const std::string& name) const;
  double get_number(const std::string& name) const;
  const std::string& get_string(const std::string& name) const { return typed<std::string>(name, "a string"); }
  // True when the value is the keyword `word` (for numbers that also accept words like "auto").
  bool is_keyword(const std::string& name, const std::string& word) const;
  const std::map<std::string, ParamValue>& values() const { return values_; }

 private:
  template <class T>
  const T& typed(const std::string& name, const char* as) const;
  std::map<std::string, ParamValue> values_;
};

// ---- inline definitions (the SDK is header-only) ----
inline ParamSpec ParamSpec::boolean(std::string n, bool def, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::boolean; s.default_value = def; s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::integer(std::string n, std::optional<int64_t> def, std::optional<double> lo,
                                    std::optional<double> hi, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::integer;
  if (def) s.default_value = *def;
  s.min = lo; s.max = hi; s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::number(std::string n, std::optional<double> def, std::optional<double> lo,
                                   std::optional<double> hi, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::number;
  if (def) s.default_value = *def;
  s.min = lo; s.max = hi; s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::string(std::string n, std::optional<std::string> def, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::string;
  if (def) s.default_value = *def;
  s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::path(std::string n, std::optional<std::string> def, bool must_exist, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::path;
  if (def) s.default_value = *def;
  s.must_exist = must_exist; s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::choice(std::string n, std::string def, std::vector<std::string> c, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::choice; s.default_value = std::move(def);
  s.choices = std::move(c); s.doc = std::move(d); return s;
}
inline ParamSpec ParamSpec::model(std::string n, std::string def, std::string d) {
  ParamSpec s; s.name = std::move(n); s.type = ParamType::model; s.default_value = std::move(def);
  s.doc = std::move(d); return s;
}
inline const char* to_string(ParamType t) {
  switch (t) {
    case ParamType::boolean: return "bool";
    case ParamType::integer: return "int";
    case ParamType::number: return "number";
    case ParamType::string: return "string";
    case ParamType::path: return "path";
    case ParamType::choice: return "choice";
    case ParamType::model: return "model";
  }
  return "?";
}
inline std::string format_value(const ParamValue& v) {
  if (auto b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (auto i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto d = std::get_if<double>(&v)) {
    std::string s = std::to_string(*d);
    while (s.size() > 1 && s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
    return s;
  }
  return std::get<std::string>(v);
}
// A comma-separated parameter value ("a.png, b.png") -> its trimmed, non-empty items.
inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::size_t b = text.find_first_not_of(" \t", start);
    if (b != std::string::npos && b < end) {
      const std::size_t e = text.find_last_not_of(" \t", end - 1);
      out.push_back(text.substr(b, e - b + 1));
    }
    start = end + 1;
  }
  return out;
}
inline const ParamValue& Params::get(const std::string& n) const {
  if (auto it = values_.find(n); it != values_.end()) return it->second;
  std::string declared;
  for (const auto& [k, v] : values_) declared += (declared.empty() ? "" : ", ") + k;
  throw std::out_of_range("parameter '" + n + "' is not declared in params() (declared: " +
                          (declared.empty() ? "none" : declared) + ")");
}
template <class T>
const T& Params::typed(const std::string& n, const char* as) const {
  const ParamValue& v = get(n);
  if (auto p = std::get_if<T>(&v)) return *p;
  static const char* kinds[] = {"a bool", "an int", "a number", "a string"};
  throw std::logic_error("parameter '" + n + "' holds " + kinds[v.index()] + ", read as " + as);
}
inline int64_t Params::get_int(const std::string& n) const {
  const auto& v = get(n);
  if (auto d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  return typed<int64_t>(n, "an int");
}
inline double Params::get_number(const std::string& n) const {
  const auto& v = get(n);
  if (auto i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return typed<double>(n, "a number");
}
inline bool Params::is_keyword(const std::string& n, const std::string& word) const {
  auto s = std::get_if<std::string>(&get(n));
  return s && *s == word;
}

}  // namespace cvpipe
