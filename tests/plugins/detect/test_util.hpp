// Shared helpers of the detect tests: sample data paths and parameters validated from text by the
// host's own validator (defaults filled, as `cvpipe eval` / `cvpipe data` do).
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "cvpipe/data.hpp"
#include "cvpipe/params.hpp"
#include "schema.hpp"

namespace cvpipe::detect::test {

inline std::filesystem::path sample(const std::string& name) { return cvpipe::data_dir() / name; }

inline Params params_from(const std::vector<ParamSpec>& schema, const std::vector<std::pair<std::string, std::string>>& texts) {
  Params p;
  const auto errors = validate_texts(schema, texts, std::filesystem::current_path(), "test", "option", p);
  for (const auto& e : errors) ADD_FAILURE() << e;
  return p;
}

}  // namespace cvpipe::detect::test
