// The case registry and the timing runner (see bench_case.hpp).
#include <algorithm>
#include <chrono>
#include <numeric>
#include <time.h>

#include <fmt/format.h>

#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/nn/context.hpp"

namespace cvpipe::bench {

const std::vector<CaseInfo>& all_cases() {
  static const std::vector<CaseInfo> cases = {
      {"lenet-train", "LeNet-5 3x32x32, batch 64, SGD(0.001, momentum 0.9), cross-entropy", 64, make_lenet_train},
      {"lenet-infer", "LeNet-5 3x32x32, batch 1, inference", 1, make_lenet_infer},
      {"dcgan-train", "DCGAN G+D 1x32x32, batch 64, Adam(2e-4, 0.5, 0.999), BCE-with-logits, 1 D + 1 G step", 64,
       make_dcgan_train},
      {"dncnn-train", "DnCNN 10 x conv3x3 32ch, batch 16 of 1x64x64, Adam(1e-3), MSE", 16, make_dncnn_train},
      {"dncnn-infer", "DnCNN 10 x conv3x3 32ch, one 1x512x512 image, inference", 1, make_dncnn_infer},
      {"unet-train", "3-level U-Net 32/64/128, batch 8 of 3x64x64, Adam(1e-3), L1", 8, make_unet_train},
  };
  return cases;
}

const CaseInfo* find_case(const std::string& name) {
  for (const auto& c : all_cases())
    if (c.name == name) return &c;
  return nullptr;
}

int default_iters(const CaseInfo& info) {
  if (info.name == "lenet-infer") return 500;
  if (info.name == "lenet-train") return 60;
  if (info.name == "dcgan-train") return 20;
  return 10;
}

namespace {
double process_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
}  // namespace

RunResult run_case(const CaseInfo& info, const RunOptions& options) {
  nn::set_num_threads(options.threads);
  auto c = info.make(options.dtype);
  for (int i = 0; i < std::max(1, options.warmup); ++i) c->step();
  const int iters = options.iters > 0 ? options.iters : default_iters(info);
  std::vector<double> ms(static_cast<std::size_t>(iters)), cpu(static_cast<std::size_t>(iters));
  RunResult r;
  for (int i = 0; i < iters; ++i) {
    const double c0 = process_cpu_ms();
    const auto t0 = std::chrono::steady_clock::now();
    r.last_value = c->step();
    const auto t1 = std::chrono::steady_clock::now();
    cpu[static_cast<std::size_t>(i)] = process_cpu_ms() - c0;
    ms[static_cast<std::size_t>(i)] = std::chrono::duration<double, std::milli>(t1 - t0).count();
  }
  r.name = info.name;
  r.threads = nn::num_threads();
  r.dtype = nn::dtype_name(options.dtype);
  r.iters = iters;
  r.ms_mean = std::accumulate(ms.begin(), ms.end(), 0.0) / iters;
  r.ms_min = *std::min_element(ms.begin(), ms.end());
  r.ms_per_iter = median(ms);
  r.cpu_ms_per_iter = median(cpu);
  r.items_per_s = r.ms_per_iter > 0 ? info.items_per_iter * 1000.0 / r.ms_per_iter : 0.0;
  return r;
}

std::string to_json(const RunResult& r) {
  return fmt::format(
      R"({{"case":"{}","items_per_s":{:.3f},"ms_per_iter":{:.4f},"threads":{},"dtype":"{}","impl":"cvpipe",)"
      R"("iters":{},"ms_min":{:.4f},"ms_mean":{:.4f},"cpu_ms":{:.4f},"value":{:.6g}}})",
      r.name, r.items_per_s, r.ms_per_iter, r.threads, r.dtype, r.iters, r.ms_min, r.ms_mean, r.cpu_ms_per_iter,
      r.last_value);
}

}  // namespace cvpipe::bench
