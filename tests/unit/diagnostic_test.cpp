// capped_message: untrusted values echoed into stderr are shortened, short texts are untouched.
#include <gtest/gtest.h>

#include <string>

#include "diagnostic.hpp"

namespace cvpipe {
namespace {

TEST(CappedMessage, ShortTextsAreUnchanged) {
  const std::string text = "cannot open 'photos/a.png': No such file or directory\n  second line";
  EXPECT_EQ(capped_message(text), text);
  EXPECT_EQ(capped_message(""), "");
}

TEST(CappedMessage, LongRunsKeepTheirHeadAndTail) {
  const std::string path = "/data/" + std::string(50000, 'x') + "/file.png";
  const std::string out = capped_message("cannot open '" + path + "': No such file");
  EXPECT_LT(out.size(), 300u);
  EXPECT_EQ(out.rfind("cannot open '/data/xxx", 0), 0u) << out;
  EXPECT_NE(out.find("\u2026"), std::string::npos) << out;
  EXPECT_NE(out.find("xxx/file.png': No such file"), std::string::npos) << out;
}

TEST(CappedMessage, ManyShortWordsAreCutAtSixteenKiB) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "word ";
  const std::string out = capped_message(text);
  EXPECT_LT(out.size(), 16384u + 64u);
  EXPECT_NE(out.find("more bytes)"), std::string::npos);
}

TEST(CappedMessage, NeverSplitsAUtf8Sequence) {
  std::string run;
  for (int i = 0; i < 400; ++i) run += "\u00e9";  // 2 bytes each
  const std::string out = capped_message(run);
  const std::string ellipsis = "\u2026";
  const size_t at = out.find(ellipsis);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(at % 2, 0u) << "head cut inside a character";
  EXPECT_EQ((out.size() - at - ellipsis.size()) % 2, 0u) << "tail starts inside a character";
}

}  // namespace
}  // namespace cvpipe
