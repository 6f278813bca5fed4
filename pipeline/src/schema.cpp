// Parameter validation against ParamSpec schemas (see schema.hpp).
#include "schema.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

#include "cvpipe/model_file.hpp"
#include "suggest.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string fmt_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

bool parse_int(const std::string& text, int64_t& out) {
  std::string t = trim(text);
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size();
}

bool parse_number(const std::string& text, double& out) {
  std::string t = trim(text);
  if (!t.empty() && t[0] == '+') t.erase(0, 1);
  if (t.empty()) return false;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  return ec == std::errc() && p == t.data() + t.size() && std::isfinite(out);
}

bool parse_bool(const std::string& text, bool& out) {
  const std::string t = lower(trim(text));
  if (t == "true" || t == "yes" || t == "on" || t == "1") { out = true; return true; }
  if (t == "false" || t == "no" || t == "off" || t == "0") { out = false; return true; }
  return false;
}

std::string range_error(const ParamSpec& s, double v, const std::string& shown) {
  const bool low = s.min && v < *s.min;
  const bool high = s.max && v > *s.max;
  if (!low && !high) return {};
  return shown + " is out of range: must be " + constraint_text(s);
}

bool has_glob(const std::string& s) { return s.find_first_of("*?[{") != std::string::npos; }

std::string node_kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Null: return "nothing";
    default: return "a value";
  }
}

}  // namespace

std::string describe_param(const std::string& noun, const std::string& name, const std::string& owner) {
  std::string s = noun + " '" + name + "'";
  if (!owner.empty()) s += " of " + owner;
  return s;
}

std::string expected_text(const ParamSpec& s) {
  std::string kw;
  if (!s.keywords.empty()) kw = " or " + join_names(s.keywords, true);
  switch (s.type) {
    case ParamType::boolean: return "true or false";
    case ParamType::integer: return "an integer" + kw;
    case ParamType::number: return "a number" + kw;
    case ParamType::string: return "a string";
    case ParamType::path: return "a path";
    case ParamType::model: return "a model file";
    case ParamType::choice: return "one of: " + join_names(s.choices);
  }
  return "a value";
}

std::string constraint_text(const ParamSpec& s) {
  if (s.type == ParamType::choice) return "one of: " + join_names(s.choices);
  if (s.type == ParamType::integer || s.type == ParamType::number) {
    std::string r;
    if (s.min && s.max) r = "in [" + fmt_number(*s.min) + ", " + fmt_number(*s.max) + "]";
    else if (s.min) r = ">= " + fmt_number(*s.min);
    else if (s.max) r = "<= " + fmt_number(*s.max);
    if (!s.keywords.empty()) r += (r.empty() ? "" : " or ") + join_names(s.keywords, true);
    return r;
  }
  if (s.type == ParamType::path && s.must_exist) return "must exist";
  return {};
}

// Where the host looks for `model` parameter files (cvpipe/model_file.hpp has the order).
ModelSearch host_model_search(const fs::path& base_dir) {
  ModelSearch where;
  where.base_dir = base_dir;
#ifdef CVPIPE_SOURCE_DIR
  where.source_dir = CVPIPE_SOURCE_DIR;
#endif
#ifdef CVPIPE_INSTALL_DATADIR
  where.install_datadir = CVPIPE_INSTALL_DATADIR;
#endif
  where.anchor = reinterpret_cast<const void*>(&host_model_search);
  return where;
}

std::string resolve_path(const std::string& value, const fs::path& base_dir) {
  if (value.empty() || value.find("://") != std::string::npos) return value;
  fs::path p = value;
  if (value == "~" || value.rfind("~/", 0) == 0) {
    if (const char* home = std::getenv("HOME"); home && *home) p = fs::path(home) / value.substr(value.size() > 1 ? 2 : 1);
  }
  if (p.is_relative()) {
    std::error_code ec;
    fs::path base = base_dir.empty() ? fs::current_path(ec) : base_dir;
    p = base / p;
    if (p.is_relative()) p = fs::absolute(p, ec);
  }
  std::string s = p.lexically_normal().string();
  // Keep a trailing separator off ("out/" -> "out") except for the root.
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

std::string check_path_exists(const std::string& resolved) {
  std::error_code ec;
  if (resolved.empty()) return "the path is empty";
  if (has_glob(resolved)) {
    fs::path dir = fs::path(resolved).parent_path();
    if (dir.empty() || has_glob(dir.string()) || fs::is_directory(dir, ec)) return {};
    return "folder '" + dir.string() + "' of pattern '" + resolved + "' does not exist";
  }
  if (fs::exists(resolved, ec)) return {};
  return "'" + resolved + "' does not exist";
}

std::string convert_text(const ParamSpec& s, const std::string& text, const fs::path& base_dir, ParamValue& out) {
  if ((s.type == ParamType::integer || s.type == ParamType::number) &&
      std::find(s.keywords.begin(), s.keywords.end(), trim(text)) != s.keywords.end()) {
    out = trim(text);
    return {};
  }
  switch (s.type) {
    case ParamType::boolean: {
      bool b;
      if (!parse_bool(text, b)) return "expected true or false, got '" + text + "'";
      out = b;
      return {};
    }
    case ParamType::integer: {
      int64_t i;
      if (!parse_int(text, i)) return "expected " + expected_text(s) + ", got '" + text + "'";
      if (auto e = range_error(s, static_cast<double>(i), std::to_string(i)); !e.empty()) return e;
      out = i;
      return {};
    }
    case ParamType::number: {
      double d;
      if (!parse_number(text, d)) return "expected " + expected_text(s) + ", got '" + text + "'";
      if (auto e = range_error(s, d, trim(text)); !e.empty()) return e;
      out = d;
      return {};
    }
    case ParamType::string:
      out = text;
      return {};
    case ParamType::path: {
      std::string p = resolve_path(text, base_dir);
      if (s.must_exist) {
        if (auto e = check_path_exists(p); !e.empty()) return e;
      }
      out = p;
      return {};
    }
    case ParamType::model: {
      if (text.empty()) {
        out = text;
        return {};
      }
      fs::path found;
      const Status st = find_model_file(text, host_model_search(base_dir), found);
      if (!st.ok()) return st.message();
      out = found.string();
      return {};
    }
    case ParamType::choice: {
      if (std::find(s.choices.begin(), s.choices.end(), text) != s.choices.end()) {
        out = text;
        return {};
      }
      return "'" + text + "' is not one of: " + join_names(s.choices) + did_you_mean(text, s.choices);
    }
  }
  return "unsupported parameter type";
}

std::string check_schema(const std::vector<ParamSpec>& schema) {
  std::set<std::string> seen;
  for (const auto& s : schema) {
    if (s.name.empty()) return "a parameter has an empty name";
    if (s.name.find_first_of(".= \t") != std::string::npos)
      return "parameter name '" + s.name + "' contains '.', '=' or a space";
    if (!seen.insert(s.name).second) return "parameter '" + s.name + "' is declared twice";
    if (s.min && s.max && *s.min > *s.max) return "parameter '" + s.name + "': min is greater than max";
    if (s.type == ParamType::choice && s.choices.empty()) return "choice parameter '" + s.name + "' has no choices";
    if (!s.default_value) continue;
    const ParamValue& d = *s.default_value;
    const std::string where = "parameter '" + s.name + "': default ";
    switch (s.type) {
      case ParamType::boolean:
        if (!std::holds_alternative<bool>(d)) return where + "is not a bool";
        break;
      case ParamType::integer:
      case ParamType::number: {
        if (auto w = std::get_if<std::string>(&d)) {
          if (std::find(s.keywords.begin(), s.keywords.end(), *w) == s.keywords.end())
            return where + "'" + *w + "' is not a number nor one of its keywords";
          break;
        }
        double v;
        if (auto i = std::get_if<int64_t>(&d)) v = static_cast<double>(*i);
        else if (auto f = std::get_if<double>(&d); f && s.type == ParamType::number) v = *f;
        else return where + "has the wrong type";
        if ((s.min && v < *s.min) || (s.max && v > *s.max)) return where + fmt_number(v) + " is out of range: must be " + constraint_text(s);
        break;
      }
      case ParamType::string:
      case ParamType::path:
      case ParamType::model:
        if (!std::holds_alternative<std::string>(d)) return where + "is not a string";
        break;
      case ParamType::choice: {
        auto c = std::get_if<std::string>(&d);
        if (!c || std::find(s.choices.begin(), s.choices.end(), *c) == s.choices.end())
          return where + "is not one of its choices";
        break;
      }
    }
  }
  return {};
}

const ParamSpec* find_param(const std::vector<ParamSpec>& schema, const std::string& name) {
  for (const auto& s : schema)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> param_names(const std::vector<ParamSpec>& schema) {
  std::vector<std::string> names;
  for (const auto& s : schema) names.push_back(s.name);
  return names;
}

std::vector<std::string> fill_defaults(const std::vector<ParamSpec>& schema, Params& out,
                                       std::vector<std::string>* default_errors) {
  std::vector<std::string> missing;
  for (const auto& s : schema) {
    if (out.has(s.name)) continue;
    if (!s.default_value) {
      missing.push_back(s.name);
      continue;
    }
    ParamValue v = *s.default_value;
    if (s.type == ParamType::number) {
      if (auto i = std::get_if<int64_t>(&v)) v = static_cast<double>(*i);
    }
    if (s.type == ParamType::path && s.must_exist && default_errors) {
      const auto& p = std::get<std::string>(v);
      if (!p.empty()) {
        if (auto e = check_path_exists(p); !e.empty())
          default_errors->push_back("parameter '" + s.name + "' (default '" + p + "'): " + e);
      }
    }
    if (s.type == ParamType::model) {
      // The plugin's default model, found like a user's value (relative to the working directory).
      if (const auto& name = std::get<std::string>(v); !name.empty()) {
        std::filesystem::path found;
        if (const Status st = find_model_file(name, host_model_search({}), found); st.ok()) v = found.string();
        else if (default_errors) default_errors->push_back("parameter '" + s.name + "' (default '" + name + "'): " + st.message());
      }
    }
    out.set(s.name, std::move(v));
  }
  return missing;
}

bool validate_map(const std::vector<ParamSpec>& schema, const YAML::Node& map,
                  const std::vector<std::string>& skip, const MapValidation& v, Params& out) {
  bool ok = true;
  auto fail = [&](const YAML::Node& at, const std::string& msg) {
    ok = false;
    if (v.error) v.error(at, msg);
  };
  const std::string owner_sfx = v.owner.empty() ? std::string() : " of " + v.owner;
  std::set<std::string> given;  // keys present (valid or not): not reported as missing
  if (map && map.IsDefined() && !map.IsNull()) {
    if (!map.IsMap()) {
      fail(map, "expected a map of " + v.noun + "s" + owner_sfx + ", got " + node_kind(map));
      return false;
    }
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      const std::string name = key.IsScalar() ? key.Scalar() : std::string();
      if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
      if (!seen.insert(name).second) {
        fail(key, v.noun + " '" + name + "' is given twice");
        continue;
      }
      const ParamSpec* spec = find_param(schema, name);
      if (!spec) {
        std::string msg = (v.owner.empty() ? std::string("unknown ") + v.noun : v.owner + " has no " + v.noun) +
                          " '" + name + "'";
        std::vector<std::string> names = param_names(schema);
        if (auto m = closest_match(name, names)) msg += "; did you mean '" + *m + "'?";
        else if (!names.empty()) msg += " (" + v.noun + "s: " + join_names(names) + ")";
        else msg += " (it takes no " + v.noun + "s)";
        fail(key, msg);
        continue;
      }
      const std::string what = describe_param(v.noun, name, v.owner);
      given.insert(name);
      std::string text;
      if (value.IsNull() || !value.IsDefined()) {
        if (!(v.null_literal && value.IsDefined() && v.null_literal(value, text))) {
          fail(key, what + " has no value (expected " + expected_text(*spec) + ")");
          continue;
        }
      } else if (!value.IsScalar()) {
        fail(value, what + ": expected " + expected_text(*spec) + ", got " + node_kind(value));
        continue;
      } else if (v.scalar_text) {
        if (!v.scalar_text(value, text)) { ok = false; continue; }
      } else {
        text = value.Scalar();
      }
      ParamValue pv;
      std::error_code ec;
      const fs::path base = v.from_command_line && v.from_command_line(value) ? fs::current_path(ec) : v.base_dir;
      if (auto e = convert_text(*spec, text, base, pv); !e.empty()) {
        fail(value, what + ": " + e);
        continue;
      }
      out.set(name, std::move(pv));
    }
  }
  std::vector<std::string> default_errors;
  for (const auto& name : fill_defaults(schema, out, &default_errors)) {
    if (given.count(name)) continue;
    const ParamSpec* spec = find_param(schema, name);
    std::string msg = (v.owner.empty() ? std::string("missing required ") : v.owner + " needs ") + v.noun + " '" +
                      name + "' (" + expected_text(*spec) + (spec->doc.empty() ? "" : ": " + spec->doc) + ")";
    fail(map, msg);
  }
  for (const auto& e : default_errors) fail(map, (v.owner.empty() ? "" : v.owner + ": ") + e);
  return ok;
}

std::vector<std::string> validate_texts(const std::vector<ParamSpec>& schema,
                                        const std::vector<std::pair<std::string, std::string>>& values,
                                        const fs::path& base_dir, const std::string& owner,
                                        const std::string& noun, Params& out) {
  std::vector<std::string> errors;
  std::set<std::string> seen, given;  // given (valid or not): not reported as missing
  for (const auto& [name, text] : values) {
    given.insert(name);
    const ParamSpec* spec = find_param(schema, name);
    if (!spec) {
      std::string msg = (owner.empty() ? "unknown " + noun : owner + " has no " + noun) + " '" + name + "'";
      std::vector<std::string> names = param_names(schema);
      if (auto m = closest_match(name, names)) msg += "; did you mean '" + *m + "'?";
      else if (!names.empty()) msg += " (" + noun + "s: " + join_names(names) + ")";
      errors.push_back(msg);
      continue;
    }
    if (!seen.insert(name).second) {
      errors.push_back(noun + " '" + name + "' is given twice");
      continue;
    }
    ParamValue pv;
    if (auto e = convert_text(*spec, text, base_dir, pv); !e.empty()) {
      errors.push_back(describe_param(noun, name, owner) + ": " + e);
      continue;
    }
    out.set(name, std::move(pv));
  }
  std::vector<std::string> default_errors;
  for (const auto& name : fill_defaults(schema, out, &default_errors)) {
    if (given.count(name)) continue;
    const ParamSpec* spec = find_param(schema, name);
    errors.push_back((owner.empty() ? std::string("missing required ") : owner + " needs ") + noun + " '" + name +
                     "' (" + expected_text(*spec) + (spec->doc.empty() ? "" : ": " + spec->doc) + ")");
  }
  for (const auto& e : default_errors) errors.push_back((owner.empty() ? "" : owner + ": ") + e);
  return errors;
}

}  // namespace cvpipe
