// Naive reference kernels for tests: plain loops over plain row-major float vectors, written from
// the PyTorch definitions of each operation. Slow and obviously correct; never used at run time.
#pragma once
#include <cstdint>
#include <vector>

namespace cvpipe::nn::ref {

using Vec = std::vector<float>;
using I64 = std::int64_t;

}  // namespace cvpipe::nn::ref
