// The process group of a scale-out job (docs/scale-out.md): N copies of cvpipe started by mpirun or
// srun, each a "rank" 0..N-1. This is the one place that talks to MPI; everything else asks
// rank() / size() and calls the collectives below.
//
// Guarantees:
// - One rank unless the process was started by an MPI launcher (mpirun, mpiexec, srun with PMI/PMIx)
//   AND cvpipe was built with MPI (CMake CVPIPE_WITH_MPI and MPI found). With one rank every
//   collective is a no-op (the data is already the result), so callers need no special case.
// - Collectives must be called by every rank in the same order (MPI's rule); only the main thread
//   calls them.
// - Floating-point sums are reduced by MPI (the order of additions may depend on N; results agree
//   with one process to rounding).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cvpipe/nn/layer.hpp"
#include "cvpipe/nn/parameter.hpp"

namespace cvpipe::nn::dist {

// Starts the group when a launcher started this process (idempotent). Returns false with `error`
// set when MPI could not start.
bool init_if_launched(int& argc, char**& argv, std::string& error);
// Ends the group normally (after every rank finished its work). Idempotent; no-op with one rank.
void finalize();
// Ends the whole job from this rank: prints "cvpipe: rank R of N failed: MESSAGE" to stderr, then
// MPI_Abort with `exit_code` (never returns). With one rank: prints nothing, exits with exit_code.
[[noreturn]] void abort_job(int exit_code, const std::string& message);

int rank();
int size();
// True with more than one rank.
inline bool distributed() { return size() > 1; }
// " (rank R of N)" when distributed, else "": for messages.
std::string rank_label();

// Collectives (every rank, same order).
void barrier();
// Element-wise sum across ranks, in place.
void sum(double* data, std::size_t n);
void sum(float* data, std::size_t n);
inline void sum(std::vector<double>& v) { sum(v.data(), v.size()); }
// The maximum across ranks.
double max(double value);
// Rank 0's values in every rank.
void broadcast(double* data, std::size_t n);
void broadcast(float* data, std::size_t n);
// Every rank's string, in rank order (on every rank).
std::vector<std::string> all_gather(const std::string& mine);

// The items of a sharded loop: item i of n belongs to rank i % size().
inline bool owns(std::size_t item) { return static_cast<int>(item % static_cast<std::size_t>(size())) == rank(); }
std::vector<std::size_t> owned_items(std::size_t n);

// Averages gradients across ranks for synchronous data-parallel training: the grads of `params`
// are packed into buckets of about `bucket_bytes` (a few large messages instead of one per
// tensor), summed with one allreduce per bucket and scaled by 1/size(). Afterwards every rank
// holds the same averaged gradient. Accumulates the time spent and the bytes sent per call.
class GradientAverager {
 public:
  explicit GradientAverager(std::size_t bucket_bytes = std::size_t{32} << 20) : bucket_bytes_(bucket_bytes) {}
  void average(const std::vector<Parameter*>& params);
  double seconds() const { return seconds_; }
  std::int64_t calls() const { return calls_; }
  std::size_t bytes_per_call() const { return bytes_per_call_; }

 private:
  std::size_t bucket_bytes_;
  std::vector<float> bucket_;
  double seconds_ = 0.0;
  std::int64_t calls_ = 0;
  std::size_t bytes_per_call_ = 0;
};

// Rank 0's parameters and buffers in every rank (identical initial weights).
void broadcast_module(Layer& net);
// Averages the f32 buffers (BatchNorm running mean/variance ...) across ranks.
void average_buffers(Layer& net);

// Rows produced by a sharded loop, each tagged with its item index, gathered from every rank and
// returned in item order (on every rank): the rows of one process.
std::vector<std::string> gather_rows(const std::vector<std::pair<std::size_t, std::string>>& mine);

}  // namespace cvpipe::nn::dist
