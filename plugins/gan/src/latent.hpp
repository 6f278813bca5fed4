// Latent vectors for the generator: seeded N(0, 1) draws with optional truncation, and the
// interpolation used by latent walks.
//
// Guarantees: sample i of a seed is drawn from its own stream (derive_seed(seed, i)), so it is the
// same whatever the batch size or count — `gan_c7_000012` is the same image in every run with that
// seed. Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <vector>

namespace cvpipe::gan {

// One latent vector for (seed, index). truncation > 0 redraws every component whose magnitude
// exceeds it (the truncation trick); 0 disables it.
std::vector<float> latent_vector(std::uint64_t seed, std::uint64_t index, int z_dim, double truncation);
// n vectors for indices first .. first+n-1, concatenated.
std::vector<float> latent_batch(std::uint64_t seed, std::uint64_t first, int n, int z_dim, double truncation);

// Spherical interpolation between a and b (t in [0, 1]); falls back to linear when they are
// (anti)parallel. Keeps the norm typical of Gaussian latents along the path.
std::vector<float> slerp(const std::vector<float>& a, const std::vector<float>& b, double t);

// A smooth ease-in-out of t in [0, 1] (3t^2 - 2t^3): walks slow down at key frames instead of kinking.
double smoothstep(double t);

}  // namespace cvpipe::gan
