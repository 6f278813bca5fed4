// ${VAR} expansion (see env_expand.hpp).
#include "env_expand.hpp"

#include <cctype>
#include <cstdlib>

#include "cvpipe/data.hpp"

namespace cvpipe {

namespace {
bool valid_name(const std::string& n) {
  if (n.empty() || std::isdigit(static_cast<unsigned char>(n[0]))) return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}
}  // namespace

Status expand_env(const std::string& in, std::string& out) {
  out.clear();
  size_t i = 0;
  while (i < in.size()) {
    if (in.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out += in[i++];
      continue;
    }
    const size_t close = in.find('}', i + 2);
    if (close == std::string::npos)
      return Status::invalid("unclosed '${' in '" + in + "' (write '$${' for a literal '${')");
    std::string body = in.substr(i + 2, close - i - 2);
    std::string name = body, fallback;
    bool has_fallback = false;
    if (auto p = body.find(":-"); p != std::string::npos) {
      name = body.substr(0, p);
      fallback = body.substr(p + 2);
      has_fallback = true;
    }
    if (!valid_name(name))
      return Status::invalid("'${" + body + "}' is not a valid variable reference (use ${NAME} or ${NAME:-default})");
    const char* value = std::getenv(name.c_str());
    if (value && (*value || !has_fallback)) {
      out += value;
    } else if (has_fallback) {
      out += fallback;
    } else if (name == "CVPIPE_DATA") {
      out += data_dir().string();
    } else {
      return Status::invalid("environment variable '" + name + "' is not set (used in '" + in + "')");
    }
    i = close + 1;
  }
  return {};
}

}  // namespace cvpipe
