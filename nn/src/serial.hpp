// Internal: when small work runs on the calling thread alone.
#pragma once
#include <cstddef>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn::detail {

// Small work runs on the calling thread alone: below these sizes an OpenMP fork/join (and the
// spinning barriers inside some oneDNN kernels, e.g. backward-weights reductions) costs more than the
// second thread saves, and on a busy machine far more (a descheduled peer stalls every barrier).
// Thresholds: 1 MiB of operands for memory-bound work, 64 MFLOP for convolutions / inner products
// (LeNet's whole batch-64 step: 5.4 ms CPU at 2 threads serial vs 8.5 ms with its 45 MFLOP conv on two
// threads and 19 ms with everything parallel, on the shared machine); CVPIPE_NN_SERIAL_KB /
// CVPIPE_NN_SERIAL_MFLOP override them (read once, for tuning).
bool serial_bytes(std::size_t bytes);
bool serial_flops(double flops);
// While alive (and `on`), oneDNN primitives created or executed by this thread use one thread.
class SerialScope {
 public:
  explicit SerialScope(bool on);
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_ = 0;
};
// Executes a reorder on the calling thread's stream (serially when small).
void run_reorder(const dnnl::reorder& prim, const dnnl::memory& from, const dnnl::memory& to);

}  // namespace cvpipe::nn::detail
