// Seeded random draws with a library-independent mapping. See random.hpp.
#include "cvpipe/nn/random.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

namespace cvpipe::nn {

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double uniform(Rng& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }

std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
  if (range == 0) return static_cast<std::int64_t>(rng());  // the full 64-bit range
  const std::uint64_t limit = (~std::uint64_t{0}) - ((~std::uint64_t{0}) % range + 1) % range;
  std::uint64_t x;
  do x = rng(); while (x > limit);  // rejection keeps it unbiased
  return lo + static_cast<std::int64_t>(x % range);
}

bool bernoulli(Rng& rng, double p) { return p > 0 && uniform01(rng) < p; }

double normal01(Rng& rng) {
  double u1;
  do u1 = uniform01(rng); while (u1 <= 0.0);
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

namespace {
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::uint64_t h = splitmix64(seed);
  h = splitmix64(h ^ a);
  h = splitmix64(h ^ b);
  return splitmix64(h ^ c);
}

std::string rng_state(const Rng& rng) {
  std::ostringstream os;
  os << rng;
  return os.str();
}

bool set_rng_state(Rng& rng, const std::string& state) {
  std::istringstream is(state);
  Rng tmp;
  is >> tmp;
  if (is.fail()) return false;
  rng = tmp;
  return true;
}

}  // namespace cvpipe::nn
