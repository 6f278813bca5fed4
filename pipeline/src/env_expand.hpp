// ${VAR} expansion for config strings. `${NAME}` is replaced by the environment variable NAME;
// `${NAME:-fallback}` uses fallback when NAME is unset or empty; `$${` is a literal `${`.
// CVPIPE_DATA defaults to cvpipe::data_dir(). Any other unset variable is an error naming it.
#pragma once
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe {

// Expands `in` into `out`. On error (unset variable, unclosed or empty `${}`), returns
// invalid_argument with a message naming the variable and leaves `out` unspecified.
Status expand_env(const std::string& in, std::string& out);

}  // namespace cvpipe
