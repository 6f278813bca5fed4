// Datasets, batching and the prefetching DataLoader. See data.hpp.
#include <array>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/data_convert.hpp"

namespace cvpipe::nn {
namespace {

// Shape {C, H, W} of a sample image in either accepted form.
std::array<int, 3> chw_shape(const cv::Mat& m, std::size_t index, const char* what) {
  if (m.empty()) throw Error(fmt::format("sample {}: empty {}", index, what));
  if (m.depth() != CV_32F) throw Error(fmt::format("sample {}: {} must be CV_32F", index, what));
  if (m.dims == 2) return {m.channels(), m.rows, m.cols};
  if (m.dims == 3 && m.channels() == 1) return {m.size[0], m.size[1], m.size[2]};
  throw Error(fmt::format("sample {}: {} must be HWC (2-D) or CHW (3-D, one channel)", index, what));
}

void write_chw(const cv::Mat& m, float* dst) {
  if (m.dims == 2) {
    hwc_to_chw(m, dst);
    return;
  }
  const std::size_t n = m.total();
  if (m.isContinuous()) {
    std::memcpy(dst, m.ptr<float>(), n * sizeof(float));
  } else {
    const cv::Mat c = m.clone();
    std::memcpy(dst, c.ptr<float>(), n * sizeof(float));
  }
}

Tensor stack(const std::vector<Sample>& samples, bool targets) {
  const auto& first = targets ? samples[0].target : samples[0].image;
  const auto shape = chw_shape(first, 0, targets ? "target" : "image");
  Tensor t = Tensor::empty({static_cast<std::int64_t>(samples.size()), shape[0], shape[1], shape[2]});
  float* dst = t.data<float>();
  const std::size_t per = static_cast<std::size_t>(shape[0]) * shape[1] * shape[2];
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const cv::Mat& m = targets ? samples[i].target : samples[i].image;
    const auto s = chw_shape(m, i, targets ? "target" : "image");
    if (s != shape)
      throw Error(fmt::format("batch: sample {} {} is [{}, {}, {}] (CHW), sample 0 is [{}, {}, {}]", i,
                              targets ? "target" : "image", s[0], s[1], s[2], shape[0], shape[1], shape[2]));
    write_chw(m, dst + i * per);
  }
  return t;
}

}  // namespace

MemoryDataset::MemoryDataset(std::vector<cv::Mat> images, std::vector<int> labels, std::vector<cv::Mat> targets,
                             AugmentPtr augment, AugmentPtr input_augment)
    : images_(std::move(images)),
      labels_(std::move(labels)),
      targets_(std::move(targets)),
      augment_(std::move(augment)),
      input_augment_(std::move(input_augment)) {
  if (!labels_.empty() && labels_.size() != images_.size())
    throw Error(fmt::format("MemoryDataset: {} labels for {} images", labels_.size(), images_.size()));
  if (!targets_.empty() && targets_.size() != images_.size())
    throw Error(fmt::format("MemoryDataset: {} targets for {} images", targets_.size(), images_.size()));
}

Sample MemoryDataset::get(std::size_t index, Rng& rng) const {
  Sample s;
  s.image = images_.at(index);
  if (!labels_.empty()) s.label = labels_[index];
  if (!targets_.empty()) s.target = targets_[index];
  if (augment_) {
    // Augmentations replace the Mats they change; copies protect the stored originals.
    if (s.target.empty()) {
      s.image = s.image.clone();
      augment_->apply(std::span<cv::Mat>(&s.image, 1), rng);
    } else {
      cv::Mat group[2] = {s.image.clone(), s.target.clone()};
      augment_->apply(group, rng);
      s.image = group[0];
      s.target = group[1];
    }
  }
  if (input_augment_) {
    if (!augment_) s.image = s.image.clone();
    input_augment_->apply(std::span<cv::Mat>(&s.image, 1), rng);
  }
  return s;
}

SubsetDataset::SubsetDataset(DatasetPtr base, std::vector<std::size_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
  if (!base_) throw Error("SubsetDataset: no base dataset");
  for (auto i : indices_)
    if (i >= base_->size()) throw Error(fmt::format("SubsetDataset: index {} outside dataset of {}", i, base_->size()));
}

Batch collate(std::vector<Sample>& samples) {
  if (samples.empty()) throw Error("batch: no samples");
  Batch b;
  b.images = stack(samples, false);
  const bool with_targets = !samples[0].target.empty();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (samples[i].target.empty() == with_targets)
      throw Error(fmt::format("batch: sample {} {} a target but sample 0 {}", i, with_targets ? "lacks" : "has",
                              with_targets ? "has one" : "does not"));
    b.labels.push_back(samples[i].label);
  }
  if (with_targets) b.targets = stack(samples, true);
  return b;
}

// ---- DataLoader ----------------------------------------------------------------------------

struct DataLoader::Worker {
  struct Item {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  std::thread thread;
  std::mutex mutex;
  std::condition_variable can_put, can_take;
  std::deque<Item> queue;
  bool stopping = false;

  ~Worker() { shutdown(); }
  void shutdown() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    can_put.notify_all();
    can_take.notify_all();
    if (thread.joinable()) thread.join();
  }
};

DataLoader::DataLoader(DatasetPtr dataset, LoaderOptions options) : dataset_(std::move(dataset)), options_(options) {
  if (!dataset_) throw Error("DataLoader: no dataset");
  if (options_.batch_size == 0) throw Error("DataLoader: batch_size must be > 0");
}

DataLoader::~DataLoader() { stop(); }

std::size_t DataLoader::batches_per_epoch() const {
  const std::size_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<std::size_t> DataLoader::epoch_order(std::int64_t epoch) const {
  std::vector<std::size_t> order(dataset_->size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (options_.shuffle && order.size() > 1) {
    Rng rng(derive_seed(options_.seed, 0x5348554646ull /* "SHUFF" */, static_cast<std::uint64_t>(epoch)));
    for (std::size_t i = order.size() - 1; i > 0; --i)  // Fisher-Yates
      std::swap(order[i], order[static_cast<std::size_t>(uniform_int(rng, 0, static_cast<std::int64_t>(i)))]);
  }
  return order;
}

Batch DataLoader::make_batch(std::int64_t epoch, std::size_t batch) const {
  const auto order = epoch_order(epoch);
  std::size_t begin = batch * options_.batch_size;
  std::size_t end = std::min(order.size(), begin + options_.batch_size);
  if (begin >= end) throw Error(fmt::format("DataLoader: batch {} is outside epoch {}", batch, epoch));
  if (shard_count_ > 1) {
    const std::size_t len = end - begin;
    end = begin + len * (shard_index_ + 1) / shard_count_;
    begin += len * shard_index_ / shard_count_;
    if (begin >= end)
      throw Error(fmt::format("DataLoader: batch {} of epoch {} has {} samples, fewer than the {} ranks", batch, epoch, len, shard_count_));
  }
  std::vector<Sample> samples;
  samples.reserve(end - begin);
  std::vector<std::size_t> indices;
  for (std::size_t pos = begin; pos < end; ++pos) {
    const std::size_t idx = order[pos];
    Rng rng(derive_seed(options_.seed, static_cast<std::uint64_t>(epoch), pos));
    try {
      samples.push_back(dataset_->get(idx, rng));
    } catch (const std::exception& e) {
      throw Error(fmt::format("dataset sample {} (epoch {}, batch {}): {}", idx, epoch, batch, e.what()));
    }
    indices.push_back(idx);
  }
  Batch b;
  try {
    b = collate(samples);
  } catch (const std::exception& e) {
    throw Error(fmt::format("epoch {}, batch {}: {}", epoch, batch, e.what()));
  }
  b.indices = std::move(indices);
  b.epoch = epoch;
  b.index = batch;
  return b;
}

void DataLoader::stop() {
  if (worker_) {
    worker_->shutdown();
    worker_.reset();
  }
}

void DataLoader::set_shard(std::size_t index, std::size_t count) {
  if (count == 0 || index >= count) throw Error(fmt::format("DataLoader: shard {} of {} does not exist", index, count));
  if (options_.batch_size % count != 0)
    throw Error(fmt::format("the batch size {} does not divide into {} ranks: use a multiple of {}", options_.batch_size, count, count));
  stop();
  shard_index_ = index;
  shard_count_ = count;
}

void DataLoader::seek(std::int64_t epoch, std::size_t batch) {
  stop();
  epoch_ = epoch;
  batch_ = batch;
  epoch_end_pending_ = false;
}

void DataLoader::advance() {
  if (++batch_ >= batches_per_epoch()) {
    batch_ = 0;
    ++epoch_;
    epoch_end_pending_ = true;
  }
}

Batch DataLoader::next() {
  const std::size_t per_epoch = batches_per_epoch();
  if (per_epoch == 0)
    throw Error(fmt::format("DataLoader: the dataset has {} samples, no full batch of {}", dataset_->size(), options_.batch_size));
  if (batch_ >= per_epoch) {  // seek() past the end: start the next epoch
    batch_ = 0;
    ++epoch_;
  }
  epoch_end_pending_ = false;
  if (options_.prefetch == 0) {
    Batch b = make_batch(epoch_, batch_);
    advance();
    return b;
  }
  if (!worker_) {
    worker_ = std::make_unique<Worker>();
    Worker* w = worker_.get();
    const std::int64_t start_epoch = epoch_;
    const std::size_t start_batch = batch_;
    w->thread = std::thread([this, w, start_epoch, start_batch, per_epoch] {
      std::int64_t e = start_epoch;
      std::size_t b = start_batch;
      while (true) {
        Worker::Item item;
        try {
          item.batch = make_batch(e, b);
        } catch (...) {
          item.error = std::current_exception();
        }
        std::unique_lock lock(w->mutex);
        w->can_put.wait(lock, [&] { return w->stopping || w->queue.size() < options_.prefetch; });
        if (w->stopping) return;
        const bool failed = static_cast<bool>(item.error);
        w->queue.push_back(std::move(item));
        w->can_take.notify_one();
        if (failed) return;  // the consumer re-throws; a new worker starts on the next call
        if (++b >= per_epoch) {
          b = 0;
          ++e;
        }
      }
    });
  }
  Worker::Item item;
  {
    std::unique_lock lock(worker_->mutex);
    worker_->can_take.wait(lock, [&] { return !worker_->queue.empty(); });
    item = std::move(worker_->queue.front());
    worker_->queue.pop_front();
  }
  worker_->can_put.notify_one();
  if (item.error) {
    stop();  // the position stays at the failing batch
    std::rethrow_exception(item.error);
  }
  advance();
  return std::move(*item.batch);
}

std::optional<Batch> DataLoader::next_in_epoch() {
  if (epoch_end_pending_) {
    epoch_end_pending_ = false;
    return std::nullopt;
  }
  return next();
}

}  // namespace cvpipe::nn
