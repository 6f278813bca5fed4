// Whole numbers read from model metadata (JSON): json_int() returns the value of `v` when it is an
// integer (or a whole float) that fits an int, else throws std::invalid_argument naming `key` and
// the value, e.g. "'width' is 1099511627776, outside the int range" (never a silent wrap to 0).
#pragma once
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cvpipe::nn {

inline int json_int(const nlohmann::json& v, std::string_view key) {
  constexpr double lo = std::numeric_limits<int>::min(), hi = std::numeric_limits<int>::max();
  const auto fail = [&](const std::string& why) {
    return std::invalid_argument("'" + std::string(key) + "' is " + v.dump() + ", " + why);
  };
  if (v.is_number_integer()) {
    if (v.is_number_unsigned() ? v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)
                               : v.get<std::int64_t>() < static_cast<std::int64_t>(lo) ||
                                     v.get<std::int64_t>() > static_cast<std::int64_t>(hi))
      throw fail("outside the int range");
    return static_cast<int>(v.get<std::int64_t>());
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi) || std::floor(d) != d) throw fail("not a whole number in the int range");
    return static_cast<int>(d);
  }
  throw fail("not a number");
}

}  // namespace cvpipe::nn
