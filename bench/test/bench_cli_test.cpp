// Fast checks of `cvpipe bench`: --list names every registered case, one tiny case runs and prints
// the docs/cli.md JSON line, unknown cases are usage errors. Runs the built cvpipe binary (CVPIPE_BIN).
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>
#include <sys/wait.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cvpipe/bench/bench_case.hpp"

namespace {

struct Output {
  int rc = -1;
  std::string out;
};

Output run(const std::string& args) {
  Output o;
  const std::string cmd = std::string(CVPIPE_BIN) + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return o;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), p)) o.out += buf.data();
  const int status = pclose(p);
  o.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

TEST(BenchCli, ListNamesEveryCase) {
  const Output o = run("bench --list");
  ASSERT_EQ(o.rc, 0);
  const auto& cases = cvpipe::bench::all_cases();
  ASSERT_EQ(cases.size(), 6u);
  for (const char* name : {"lenet-train", "lenet-infer", "dcgan-train", "dncnn-train", "dncnn-infer", "unet-train"}) {
    EXPECT_NE(o.out.find(name), std::string::npos) << name;
    EXPECT_NE(cvpipe::bench::find_case(name), nullptr) << name;
  }
}

TEST(BenchCli, TinyCasePrintsJson) {
  const Output o = run("bench lenet-infer --json --iters 3 --warmup 1 --threads 1");
  ASSERT_EQ(o.rc, 0) << o.out;
  std::istringstream lines(o.out);
  std::string line;
  ASSERT_TRUE(std::getline(lines, line));
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j.at("case"), "lenet-infer");
  EXPECT_EQ(j.at("dtype"), "f32");
  EXPECT_EQ(j.at("threads"), 1);
  EXPECT_GT(j.at("ms_per_iter").get<double>(), 0.0);
  EXPECT_GT(j.at("items_per_s").get<double>(), 0.0);
}

TEST(BenchCli, TrainStepReducesLoss) {
  // A real train step: LeNet with SGD on one fixed batch must lower its loss.
  const auto* info = cvpipe::bench::find_case("lenet-train");
  ASSERT_NE(info, nullptr);
  auto c = info->make(cvpipe::nn::DType::f32);
  const double first = c->step();
  double last = first;
  for (int i = 0; i < 30; ++i) last = c->step();
  EXPECT_TRUE(std::isfinite(last));
  EXPECT_LT(last, first);
}

TEST(BenchCli, UnknownCaseIsUsageError) {
  const Output o = run("bench lenet-trian");
  EXPECT_EQ(o.rc, 2);
}

}  // namespace
