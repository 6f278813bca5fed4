// ProgressBar: formatting, rate limiting and silence when disabled.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <thread>

#include "cvpipe/progress.hpp"

namespace cvpipe {

namespace {
ProgressBar::Options options(bool enabled, int64_t total, double delay_s, std::FILE* out, double interval_s = 0.1) {
  ProgressBar::Options o;
  o.enabled = enabled;
  o.total = total;
  o.delay_s = delay_s;
  o.interval_s = interval_s;
  o.out = out;
  o.width = 80;
  return o;
}

std::string read_all(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}
}  // namespace

TEST(Progress, FormatLineShowsCountsRateEtaAndText) {
  const std::string line = ProgressBar::format_line("run", 25, 100, 5.0, "frames", "loss 0.5", 100);
  EXPECT_NE(line.find("run "), std::string::npos) << line;
  EXPECT_NE(line.find("25/100 frames"), std::string::npos) << line;
  EXPECT_NE(line.find("5.0 frames/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:15"), std::string::npos) << line;  // 75 left at 5/s
  EXPECT_NE(line.find(" 25%"), std::string::npos) << line;
  EXPECT_NE(line.find("loss 0.5"), std::string::npos) << line;
  EXPECT_LE(line.size(), 100u);
}

TEST(Progress, UnknownTotalHasNoBarNorEta) {
  const std::string line = ProgressBar::format_line("", 7, -1, 2.0, "it", "", 80);
  EXPECT_EQ(line.find('['), std::string::npos) << line;
  EXPECT_EQ(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("7 it"), std::string::npos) << line;
}

TEST(Progress, LineFitsTheWidth) {
  const std::string line = ProgressBar::format_line("train", 1, 1000000, 1.0, "steps", std::string(200, 'x'), 60);
  EXPECT_LE(line.size(), 60u);
}

TEST(Progress, DurationsAndRates) {
  EXPECT_EQ(ProgressBar::format_duration(7), "0:07");
  EXPECT_EQ(ProgressBar::format_duration(3723), "1:02:03");
  EXPECT_EQ(ProgressBar::format_duration(-1), "--:--");
  EXPECT_EQ(ProgressBar::format_rate(12345, "it"), "12.3k it/s");
}

TEST(Progress, DisabledWritesNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressBar bar(options(false, 10, 0, f));
    for (int i = 0; i <= 10; ++i) bar.update(i);
    bar.finish();
  }
  EXPECT_EQ(read_all(f), "");
  std::fclose(f);
}

TEST(Progress, NothingBeforeTheDelayThenRateLimitedRedraws) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressBar quick(options(true, 10, 60, f));
    for (int i = 0; i <= 10; ++i) quick.update(i);
    quick.finish();
  }
  EXPECT_EQ(read_all(f), "") << "work shorter than the delay draws nothing";
  {
    ProgressBar bar(options(true, 1000, 0, f, 10));
    for (int i = 0; i <= 1000; ++i) bar.update(i);
    bar.finish();
  }
  const std::string out = read_all(f);
  size_t draws = 0;
  for (char c : out) draws += c == '\r';
  EXPECT_EQ(draws, 2u) << "first draw + final draw, none in between: " << out;
  EXPECT_NE(out.find("1000/1000"), std::string::npos);
  EXPECT_EQ(out.back(), '\n');
  std::fclose(f);
}

}  // namespace cvpipe
