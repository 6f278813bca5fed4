// Execution context: process-wide engine, per-thread stream and scratchpad, FTZ/DAZ setup.
#include "cvpipe/nn/context.hpp"

#include <omp.h>
#include <pmmintrin.h>
#include <xmmintrin.h>

#include <cstdlib>
#include <memory>

#include "serial.hpp"

namespace cvpipe::nn {
namespace {

void set_ftz_here() {
  _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
  _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
}

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};

struct ThreadState {
  dnnl::stream stream;
  std::unique_ptr<void, AlignedFree> scratch;
  std::size_t scratch_bytes = 0;
  int ftz_team = 0;  // the largest budget under which FTZ/DAZ was applied to this thread's team

  ThreadState() : stream(engine()) { flush_denormals(); }

  // FTZ/DAZ in this thread and its OpenMP team; again when the budget grew (new workers).
  void flush_denormals() {
    const int team = omp_get_max_threads();
    if (team <= ftz_team) return;
    enable_flush_denormals();
    ftz_team = team;
  }

  void* reserve(std::size_t bytes) {
    if (bytes > scratch_bytes) {
      std::size_t size = (bytes + 4095) / 4096 * 4096;
      void* p = std::aligned_alloc(64, size);
      if (!p) throw Error("nn: out of memory allocating a " + std::to_string(size) + "-byte scratchpad");
      scratch.reset(p);
      scratch_bytes = size;
    }
    return scratch.get();
  }
};

ThreadState& state() {
  thread_local ThreadState s;
  return s;
}

}  // namespace

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& stream() { return state().stream; }

void enable_flush_denormals() {
  set_ftz_here();
#pragma omp parallel
  { set_ftz_here(); }
}

void set_num_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
  enable_flush_denormals();
}

int num_threads() { return omp_get_max_threads(); }

bool bf16_supported() {
  auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  return (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
}

bool amx_supported() {
  auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  return (isa & dnnl_cpu_isa_avx512_core_amx) == dnnl_cpu_isa_avx512_core_amx;
}

dnnl::primitive_attr primitive_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

void execute(const dnnl::primitive& prim, std::unordered_map<int, dnnl::memory> args,
             const dnnl::memory::desc& scratchpad) {
  ThreadState& s = state();
  s.flush_denormals();
  std::size_t bytes = 0;
  for (auto& a : args) bytes += a.second.get_desc().get_size();
  detail::SerialScope serial(detail::serial_bytes(bytes));
  if (scratchpad.get_size() > 0) {
    void* buf = s.reserve(scratchpad.get_size());
    args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(scratchpad, engine(), buf));
  }
  prim.execute(s.stream, args);
}

std::size_t scratchpad_bytes() { return state().scratch_bytes; }

}  // namespace cvpipe::nn
