// The process group of a scale-out job; see distributed.hpp. Built with MPI when CMake found it
// (CVPIPE_HAVE_MPI), else the one-rank fallback at the bottom.
#include "cvpipe/nn/distributed.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "cvpipe/nn/tensor.hpp"

#ifdef CVPIPE_HAVE_MPI
#include <mpi.h>
#endif

namespace cvpipe::nn::dist {

namespace {

int g_rank = 0;
int g_size = 1;
bool g_started = false;

bool is_f32(const Tensor& t) { return t.defined() && t.dtype() == DType::f32 && t.is_plain(); }

// Calls `fn(float* data, n)` on every plain f32 tensor, in a fixed order.
template <class Fn>
void for_each_f32(Layer& net, Fn&& fn) {
  for (auto& np : net.named_parameters()) {
    fn(np.param->value.data<float>(), static_cast<std::size_t>(np.param->numel()));
    np.param->mark_updated();
  }
  for (auto& nb : net.named_buffers())
    if (is_f32(nb.tensor)) fn(nb.tensor.data<float>(), static_cast<std::size_t>(nb.tensor.numel()));
}

}  // namespace

int rank() { return g_rank; }
int size() { return g_size; }

std::string rank_label() { return g_size > 1 ? fmt::format(" (rank {} of {})", g_rank, g_size) : std::string(); }

std::vector<std::size_t> owned_items(std::size_t n) {
  std::vector<std::size_t> out;
  for (std::size_t i = static_cast<std::size_t>(g_rank); i < n; i += static_cast<std::size_t>(g_size)) out.push_back(i);
  return out;
}

void GradientAverager::average(const std::vector<Parameter*>& params) {
  if (g_size <= 1) return;
  const auto t0 = std::chrono::steady_clock::now();
  const std::size_t cap = std::max<std::size_t>(1, bucket_bytes_ / sizeof(float));
  std::size_t total = 0;
  for (const Parameter* p : params) total += static_cast<std::size_t>(p->numel());
  bucket_.resize(std::min(cap, total));
  const float scale = 1.0f / static_cast<float>(g_size);
  // Parameters are packed in order; a bucket is sent when full (a large tensor spans buckets).
  std::size_t filled = 0, pi = 0, po = 0;  // pi/po: the parameter and offset being packed
  std::size_t ui = 0, uo = 0;              // the first element not yet unpacked
  auto flush = [&] {
    sum(bucket_.data(), filled);
    std::size_t k = 0;
    while (k < filled) {
      float* g = params[ui]->grad.data<float>();
      const std::size_t n = std::min(filled - k, static_cast<std::size_t>(params[ui]->numel()) - uo);
      for (std::size_t j = 0; j < n; ++j) g[uo + j] = bucket_[k + j] * scale;
      k += n;
      uo += n;
      if (uo == static_cast<std::size_t>(params[ui]->numel())) ++ui, uo = 0;
    }
    filled = 0;
  };
  while (pi < params.size()) {
    const float* g = params[pi]->grad.data<float>();
    const std::size_t numel = static_cast<std::size_t>(params[pi]->numel());
    const std::size_t n = std::min(numel - po, bucket_.size() - filled);
    std::memcpy(bucket_.data() + filled, g + po, n * sizeof(float));
    filled += n;
    po += n;
    if (po == numel) ++pi, po = 0;
    if (filled == bucket_.size()) flush();
  }
  if (filled) flush();
  ++calls_;
  bytes_per_call_ = total * sizeof(float);
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void broadcast_module(Layer& net) {
  if (g_size <= 1) return;
  for_each_f32(net, [](float* d, std::size_t n) { broadcast(d, n); });
}

void average_buffers(Layer& net) {
  if (g_size <= 1) return;
  const float scale = 1.0f / static_cast<float>(g_size);
  for (auto& nb : net.named_buffers()) {
    if (!is_f32(nb.tensor)) continue;
    float* d = nb.tensor.data<float>();
    const auto n = static_cast<std::size_t>(nb.tensor.numel());
    sum(d, n);
    for (std::size_t i = 0; i < n; ++i) d[i] *= scale;
  }
}

std::vector<std::string> gather_rows(const std::vector<std::pair<std::size_t, std::string>>& mine) {
  // Serialised as "index\nlength\nbytes" records so rows may hold any character.
  std::string packed;
  for (const auto& [i, row] : mine) packed += fmt::format("{}\n{}\n", i, row.size()) + row;
  std::vector<std::pair<std::size_t, std::string>> all;
  for (const std::string& part : all_gather(packed)) {
    std::size_t at = 0;
    while (at < part.size()) {
      const std::size_t a = part.find('\n', at), b = part.find('\n', a + 1);
      const std::size_t index = std::stoull(part.substr(at, a - at));
      const std::size_t len = std::stoull(part.substr(a + 1, b - a - 1));
      all.emplace_back(index, part.substr(b + 1, len));
      at = b + 1 + len;
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<std::string> rows;
  rows.reserve(all.size());
  for (auto& r : all) rows.push_back(std::move(r.second));
  return rows;
}

#ifdef CVPIPE_HAVE_MPI

namespace {

bool launched_by_mpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(var)) return true;
  return false;
}

// MPI counts are int: large arrays go in chunks.
constexpr std::size_t kMaxChunk = std::size_t{1} << 30;

}  // namespace

bool init_if_launched(int& argc, char**& argv, std::string& error) {
  if (g_started || !launched_by_mpi()) return true;
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
    error = "MPI_Init_thread failed";
    return false;
  }
  g_started = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  return true;
}

void finalize() {
  if (!g_started) return;
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
  g_started = false;
}

void abort_job(int exit_code, const std::string& message) {
  if (g_started && g_size > 1) {
    std::fprintf(stderr, "cvpipe: rank %d of %d failed: %s\n", g_rank, g_size, message.c_str());
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, exit_code == 0 ? 1 : exit_code);
  }
  std::exit(exit_code);
}

void barrier() {
  if (g_size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

void sum(double* data, std::size_t n) {
  if (g_size <= 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(kMaxChunk, n - at)), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

void sum(float* data, std::size_t n) {
  if (g_size <= 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(kMaxChunk, n - at)), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

double max(double value) {
  if (g_size > 1) MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return value;
}

void broadcast(double* data, std::size_t n) {
  if (g_size <= 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    MPI_Bcast(data + at, static_cast<int>(std::min(kMaxChunk, n - at)), MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

void broadcast(float* data, std::size_t n) {
  if (g_size <= 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    MPI_Bcast(data + at, static_cast<int>(std::min(kMaxChunk, n - at)), MPI_FLOAT, 0, MPI_COMM_WORLD);
}

std::vector<std::string> all_gather(const std::string& mine) {
  if (g_size <= 1) return {mine};
  const int len = static_cast<int>(mine.size());
  std::vector<int> lens(static_cast<std::size_t>(g_size)), offsets(static_cast<std::size_t>(g_size));
  MPI_Allgather(&len, 1, MPI_INT, lens.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int r = 0; r < g_size; ++r) offsets[static_cast<std::size_t>(r)] = total, total += lens[static_cast<std::size_t>(r)];
  std::string all(static_cast<std::size_t>(total), '\0');
  MPI_Allgatherv(mine.data(), len, MPI_CHAR, all.data(), lens.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (int r = 0; r < g_size; ++r)
    out.push_back(all.substr(static_cast<std::size_t>(offsets[static_cast<std::size_t>(r)]), static_cast<std::size_t>(lens[static_cast<std::size_t>(r)])));
  return out;
}

#else  // one rank: every collective's input is already its result

bool init_if_launched(int&, char**&, std::string&) { return true; }
void finalize() {}
void abort_job(int exit_code, const std::string&) { std::exit(exit_code); }
void barrier() {}
void sum(double*, std::size_t) {}
void sum(float*, std::size_t) {}
double max(double value) { return value; }
void broadcast(double*, std::size_t) {}
void broadcast(float*, std::size_t) {}
std::vector<std::string> all_gather(const std::string& mine) { return {mine}; }

#endif

}  // namespace cvpipe::nn::dist
