// Serial execution of small work; see serial.hpp.
#include "serial.hpp"

#include <cstdlib>

#include <omp.h>

namespace cvpipe::nn::detail {

namespace {
double env_or(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const double d = std::strtod(v, &end);
  return end && *end == 0 && d >= 0 ? d : fallback;
}
}  // namespace

bool serial_bytes(std::size_t bytes) {
  static const double limit = env_or("CVPIPE_NN_SERIAL_KB", 1024) * 1024;
  return static_cast<double>(bytes) < limit;
}

bool serial_flops(double flops) {
  static const double limit = env_or("CVPIPE_NN_SERIAL_MFLOP", 64) * 1e6;
  return flops < limit;
}

SerialScope::SerialScope(bool on) {
  if (on && omp_get_max_threads() > 1) {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
}

SerialScope::~SerialScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

void run_reorder(const dnnl::reorder& prim, const dnnl::memory& from, const dnnl::memory& to) {
  SerialScope serial(serial_bytes(from.get_desc().get_size() + to.get_desc().get_size()));
  prim.execute(stream(), {{DNNL_ARG_FROM, const_cast<dnnl::memory&>(from)}, {DNNL_ARG_TO, const_cast<dnnl::memory&>(to)}});
}

}  // namespace cvpipe::nn::detail
