// Execution context of the nn engine: one CPU dnnl::engine per process, one dnnl::stream and one
// scratchpad buffer per thread that runs networks, the thread budget and denormal handling.
//
// Thread budget: the engine runs on the calling thread's OpenMP budget (omp_get_max_threads(), see
// num_threads()). Whoever owns the thread sets it: the streaming executor on each stage thread, the
// command host for a command. Library code and plugins never set it. A container (Sequential,
// Graph) whose plans were made under another budget plans again on its next forward, so a network
// called from threads with different budgets (one at a time) always runs on the caller's budget.
//
// Guarantees: engine() is shared by all threads (CPU engines are thread-safe); stream() and
// scratchpad() are thread_local, so two threads may run two different networks at once (never the
// same Layer object). The first use on a thread, every set_num_threads and every execute() under a
// larger budget than before on that thread turn on flush-to-zero / denormals-are-zero in that thread
// and in every OpenMP worker of its team.
// Primitives are created in user-scratchpad mode (see primitive_attr()); execute() hands them the
// calling thread's scratchpad, grown on demand to the largest need and never shrunk.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <oneapi/dnnl/dnnl.hpp>

namespace cvpipe::nn {

// Every nn error (bad shape, wrong dtype, unsupported combination) is thrown as nn::Error with a
// message naming the layer or tensor. Callers at the plugin boundary turn it into a Status.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The process-wide CPU engine.
dnnl::engine& engine();
// The calling thread's in-order stream (created on first use; also enables FTZ/DAZ there).
dnnl::stream& stream();

// For thread owners (hosts, executors, benchmarks, tests): sets the calling thread's budget
// (omp_set_num_threads) and re-applies FTZ/DAZ to every worker. n <= 0 means "all cores".
void set_num_threads(int n);
// The calling thread's budget: the number of threads the engine uses from this thread.
int num_threads();
// Turns on FTZ/DAZ in the calling thread and all workers of its OpenMP team.
void enable_flush_denormals();

// True when the CPU runs bf16 convolutions natively (AVX512_BF16 or AMX).
bool bf16_supported();
// True when AMX-BF16 is available (where bf16 training is much faster than f32).
bool amx_supported();

// An attribute with scratchpad_mode::user, the base for every primitive the engine creates.
dnnl::primitive_attr primitive_attr();

// Executes `prim` on the calling thread's stream; adds DNNL_ARG_SCRATCHPAD from the thread's
// scratchpad when `scratchpad` is non-empty (pass pd.scratchpad_desc()). With oneDNN's OpenMP CPU
// runtime the call returns when the primitive has finished; the engine relies on that.
void execute(const dnnl::primitive& prim, std::unordered_map<int, dnnl::memory> args,
             const dnnl::memory::desc& scratchpad = {});

// Bytes currently held by the calling thread's scratchpad buffer (for tests and diagnostics).
std::size_t scratchpad_bytes();

}  // namespace cvpipe::nn
