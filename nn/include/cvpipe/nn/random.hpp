// Seeded randomness for training: the generator type and draws with a fixed mapping from its output
// (std::*_distribution differs between standard libraries), so a seed gives the same numbers
// everywhere. derive_seed() gives independent streams (per epoch, per sample) from one seed, which
// keeps data loading deterministic whatever the thread timing. Rng objects are not thread-safe:
// one per thread.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace cvpipe::nn {

using Rng = std::mt19937_64;

double uniform01(Rng& rng);                                            // [0, 1), 53 bits
double uniform(Rng& rng, double lo, double hi);                        // [lo, hi)
std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi);  // [lo, hi] inclusive, unbiased
bool bernoulli(Rng& rng, double p);
double normal01(Rng& rng);                                             // N(0, 1), Box-Muller

// A well-mixed 64-bit seed from a base seed and up to three stream ids (splitmix64 chain).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::uint64_t c = 0);

// The generator state as text (std::mt19937_64 stream format) and back; false on malformed text.
std::string rng_state(const Rng& rng);
bool set_rng_state(Rng& rng, const std::string& state);

}  // namespace cvpipe::nn
