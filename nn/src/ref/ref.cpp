// Naive reference kernels (see ref.hpp).
#include "ref/ref.hpp"
