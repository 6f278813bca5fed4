// Run measurements: latency percentiles (nearest rank, bounded memory), the summary text and
// the --metrics JSON of a RunReport.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "executor.hpp"
#include "metrics.hpp"

namespace cvpipe::test {
namespace {

TEST(LatencyRecorder, NearestRankPercentiles) {
  LatencyRecorder r;
  EXPECT_EQ(r.percentile(50), 0.0);
  for (int i = 100; i >= 1; --i) r.add(i);
  EXPECT_EQ(r.count(), 100);
  EXPECT_DOUBLE_EQ(r.percentile(50), 50.0);
  EXPECT_DOUBLE_EQ(r.percentile(95), 95.0);
  EXPECT_DOUBLE_EQ(r.percentile(100), 100.0);
  EXPECT_DOUBLE_EQ(r.percentile(0), 1.0);
}

TEST(LatencyRecorder, BoundedSamplesStayRepresentative) {
  LatencyRecorder r(200);
  for (int i = 0; i < 20000; ++i) r.add(i % 100);
  EXPECT_EQ(r.count(), 20000);
  EXPECT_NEAR(r.percentile(50), 50.0, 10.0);
  EXPECT_NEAR(r.percentile(95), 95.0, 5.0);
}

TEST(RunReport, JsonAndSummary) {
  RunReport rep;
  rep.frames = 4;
  rep.seconds = 2.0;
  rep.errors = 1;
  rep.source.name = "images";
  rep.source.frames = 5;
  rep.stages.push_back(StageMetrics{"blur", 4, 1.5, 2.5, 0, 1});
  rep.sinks.push_back(StageMetrics{"jsonl", 4, 0.1, 0.2, 0, 0});
  const auto j = nlohmann::json::parse(rep.to_json());
  EXPECT_EQ(j["frames"], 4);
  EXPECT_DOUBLE_EQ(j["fps"].get<double>(), 2.0);
  EXPECT_EQ(j["status"], "ok");
  EXPECT_EQ(j["stages"][0]["name"], "blur");
  EXPECT_DOUBLE_EQ(j["stages"][0]["ms_p95"].get<double>(), 2.5);
  EXPECT_EQ(j["stages"][0]["errors"], 1);
  EXPECT_EQ(j["sinks"][0]["name"], "jsonl");
  const std::string s = format_summary(rep);
  EXPECT_NE(s.find("4 frames in 2.00 s (2.0 fps), 1 error"), std::string::npos) << s;
  EXPECT_NE(s.find("blur"), std::string::npos) << s;
  EXPECT_NE(s.find("1 error\n"), std::string::npos) << s;
}

}  // namespace
}  // namespace cvpipe::test
