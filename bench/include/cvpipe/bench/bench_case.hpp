// A `cvpipe bench` case: one fixed network, batch and optimizer, timed per
// iteration. bench/torch_reference.py defines the same cases for PyTorch; keep both in step.
//
// Guarantees: a case builds its network and synthetic inputs in its constructor (seeded, so every
// run does the same work), step() runs one iteration (a train step: forward, loss, backward,
// optimizer step; an inference step: one forward in eval mode) and allocates nothing after the
// first call. Cases run on the calling thread; run_case() sets the nn thread count first.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::bench {

class BenchCase {
 public:
  virtual ~BenchCase() = default;
  // One iteration; returns a value derived from the result (loss or an output element) so the
  // work cannot be optimised away and a diverging run is visible.
  virtual double step() = 0;
};

struct CaseInfo {
  std::string name;         // "lenet-train"
  std::string description;  // one line for --list
  int items_per_iter = 1;   // images processed per iteration (the batch size)
  std::function<std::unique_ptr<BenchCase>(nn::DType)> make;
};

struct RunOptions {
  int threads = 2;
  nn::DType dtype = nn::DType::f32;
  int iters = 0;   // 0: the case's default (enough for about a second on this machine)
  int warmup = 3;  // untimed iterations (the first plans primitives and JITs kernels)
};

struct RunResult {
  std::string name;
  int threads = 0;
  std::string dtype;
  int iters = 0;
  double ms_per_iter = 0;  // median over the timed iterations (robust on a loaded machine)
  double ms_min = 0;
  double ms_mean = 0;
  // Median process CPU time per iteration (all threads): with OMP_WAIT_POLICY=passive this counts
  // the work done and is much less sensitive to other processes' load than wall time.
  double cpu_ms_per_iter = 0;
  double items_per_s = 0;  // items_per_iter / median
  double last_value = 0;   // step()'s last value (loss)
};

// Every case, in a fixed order.
const std::vector<CaseInfo>& all_cases();
// The case named `name`, or nullptr.
const CaseInfo* find_case(const std::string& name);
// Default timed iterations of a case (when RunOptions::iters is 0).
int default_iters(const CaseInfo& info);
// Builds the case, runs warm-up and timed iterations. Throws nn::Error / std::exception on failure.
RunResult run_case(const CaseInfo& info, const RunOptions& options);
// `{"case":..,"items_per_s":..,"ms_per_iter":..,"threads":..,"dtype":..,...}` (one line).
std::string to_json(const RunResult& result);

// Case factories (bench/cases; the two image-to-image train cases share image_to_image_train.cpp).
std::unique_ptr<BenchCase> make_lenet_train(nn::DType dtype);
std::unique_ptr<BenchCase> make_lenet_infer(nn::DType dtype);
std::unique_ptr<BenchCase> make_dcgan_train(nn::DType dtype);
std::unique_ptr<BenchCase> make_dncnn_train(nn::DType dtype);
std::unique_ptr<BenchCase> make_dncnn_infer(nn::DType dtype);
std::unique_ptr<BenchCase> make_unet_train(nn::DType dtype);

}  // namespace cvpipe::bench
