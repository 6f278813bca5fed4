// Edit distance and "did you mean" suggestions.
#include <gtest/gtest.h>

#include "suggest.hpp"

namespace cvpipe {

TEST(Suggest, EditDistanceCountsInsertDeleteSubstituteSwap) {
  EXPECT_EQ(edit_distance("blur", "blur"), 0u);
  EXPECT_EQ(edit_distance("blur", "blurr"), 1u);
  EXPECT_EQ(edit_distance("sigma", "sgma"), 1u);
  EXPECT_EQ(edit_distance("sigma", "sigam"), 1u);  // adjacent swap is one edit
  EXPECT_EQ(edit_distance("Queue", "queue"), 0u);  // case-insensitive
  EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Suggest, ClosestMatchFindsTyposOnly) {
  const std::vector<std::string> keys = {"source", "stages", "sinks", "runtime"};
  EXPECT_EQ(closest_match("stagse", keys).value_or(""), "stages");
  EXPECT_EQ(closest_match("runtim", keys).value_or(""), "runtime");
  EXPECT_FALSE(closest_match("completely_different", keys).has_value());
  EXPECT_FALSE(closest_match("", keys).has_value());
}

TEST(Suggest, ClosestMatchAcceptsAUniquePrefix) {
  const std::vector<std::string> stages = {"gaussian_blur", "median_blur", "resize"};
  EXPECT_EQ(closest_match("gauss", stages).value_or(""), "gaussian_blur");
  EXPECT_FALSE(closest_match("xyz", stages).has_value());
}

TEST(Suggest, DidYouMeanFormatsTheSuggestion) {
  EXPECT_EQ(did_you_mean("blurr", {"blur", "resize"}), "; did you mean 'blur'?");
  EXPECT_EQ(did_you_mean("zzzzzz", {"blur", "resize"}), "");
  EXPECT_EQ(join_names({"a", "b"}), "a, b");
  EXPECT_EQ(join_names({"a", "b"}, true), "'a', 'b'");
}

}  // namespace cvpipe
