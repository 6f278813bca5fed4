// `cvpipe bench [--list | CASE...] [--json] [--threads N] [--dtype f32|bf16] [--iters N]
// [--warmup N]`: runs the nn engine's benchmark cases (bench/) and prints one line
// per case: a table row, or with --json `{"case":..,"items_per_s":..,"ms_per_iter":..,"threads":..,
// "dtype":..}` (docs/cli.md). No CASE runs every case. Unknown case names are usage errors (exit 2)
// with a "did you mean"; a failing case prints its error and the command exits 1 after the rest.
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/nn/context.hpp"
#include "suggest.hpp"

namespace cvpipe::cli {

namespace {

struct BenchArgs {
  std::vector<std::string> cases;
  bool list = false;
  bool json = false;
  int threads = 2;
  std::string dtype = "f32";
  int iters = 0;
  int warmup = 3;
};

int run_bench(const BenchArgs& a) {
  const auto& cases = bench::all_cases();
  if (a.list) {
    for (const auto& c : cases) {
      if (a.json)
        std::printf("{\"case\":\"%s\",\"items_per_iter\":%d,\"description\":\"%s\"}\n", c.name.c_str(),
                    c.items_per_iter, c.description.c_str());
      else
        std::printf("%-12s  %s\n", c.name.c_str(), c.description.c_str());
    }
    return kExitOk;
  }
  std::vector<const bench::CaseInfo*> selected;
  if (a.cases.empty())
    for (const auto& c : cases) selected.push_back(&c);
  for (const auto& name : a.cases) {
    const bench::CaseInfo* info = bench::find_case(name);
    if (!info) {
      std::vector<std::string> names;
      for (const auto& c : cases) names.push_back(c.name);
      print_error("bench: unknown case '" + name + "'" + did_you_mean(name, names) +
                  " (`cvpipe bench --list` lists the cases)");
      return kExitUsage;
    }
    selected.push_back(info);
  }
  bench::RunOptions opt;
  opt.threads = a.threads;
  opt.iters = a.iters;
  opt.warmup = a.warmup;
  if (a.dtype == "bf16") {
    if (!nn::bf16_supported()) {
      print_error("bench: --dtype bf16 needs a CPU with AVX512_BF16 or AMX");
      return kExitFailure;
    }
    opt.dtype = nn::DType::bf16;
  }
  if (!a.json)
    std::printf("%-12s %6s %7s %12s %12s %12s\n", "case", "dtype", "threads", "ms/iter", "ms min", "items/s");
  int rc = kExitOk;
  for (const auto* info : selected) {
    try {
      const bench::RunResult r = bench::run_case(*info, opt);
      if (a.json)
        std::printf("%s\n", bench::to_json(r).c_str());
      else
        std::printf("%-12s %6s %7d %12.3f %12.3f %12.1f\n", r.name.c_str(), r.dtype.c_str(), r.threads,
                    r.ms_per_iter, r.ms_min, r.items_per_s);
      std::fflush(stdout);
    } catch (const std::exception& e) {
      print_error("bench: case '" + info->name + "' failed: " + e.what());
      rc = kExitFailure;
    }
  }
  return rc;
}

}  // namespace

Subcommand add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "time the nn engine's benchmark cases (training and inference)");
  cmd->add_option("CASE", args->cases, "cases to run (default: all; see --list)")->type_name("CASE");
  cmd->add_flag("--list", args->list, "list the cases and exit");
  cmd->add_flag("--json", args->json, "one JSON object per case on stdout");
  cmd->add_option("--threads,-j", args->threads, "threads (default 2; 0: all cores)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  cmd->add_option("--dtype", args->dtype, "compute type")->check(CLI::IsMember({"f32", "bf16"}))->type_name("f32|bf16");
  cmd->add_option("--iters", args->iters, "timed iterations (default: per case)")->check(CLI::NonNegativeNumber)->type_name("N");
  cmd->add_option("--warmup", args->warmup, "untimed warm-up iterations (default 3)")
      ->check(CLI::NonNegativeNumber)
      ->type_name("N");
  return {cmd, [args] { return run_bench(*args); }};
}

}  // namespace cvpipe::cli
