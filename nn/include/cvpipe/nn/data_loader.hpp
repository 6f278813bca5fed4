// Datasets and the DataLoader: seeded shuffling, batching into NCHW float tensors and background
// prefetching.
//
// Determinism: epoch e visits the dataset in a permutation drawn from derive_seed(seed, e), and
// sample i of that epoch gets its own Rng seeded from (seed, e, i). Batches are therefore a pure
// function of (seed, epoch, batch index), whatever the prefetch depth or thread timing, and
// seek(epoch, batch) resumes a run exactly.
//
// Threading: with prefetch > 0 one background std::thread builds the next batches into a bounded
// queue; Dataset::get() is then called from that thread (never concurrently with itself for one
// loader). A dataset error is re-thrown by next() (nn::Error naming the sample). The destructor,
// seek() and stop() shut the thread down cleanly, even when it is blocked on a full queue.
// A DataLoader is used by one consumer thread.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/nn/augment.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn {

// One training example. `image`: CV_32F HWC (any channel count), or a 3-D CV_32F Mat already in
// CHW order (sizes {C, H, W}). `target`: optional image target in the same forms (denoising,
// colourisation ...). `label`: class id, or -1 when the dataset has none.
struct Sample {
  cv::Mat image;
  int label = -1;
  cv::Mat target;
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::size_t size() const = 0;
  // Sample `index` (0 <= index < size()); `rng` drives any random augmentation. May throw.
  virtual Sample get(std::size_t index, Rng& rng) const = 0;
};

using DatasetPtr = std::shared_ptr<const Dataset>;

// Samples held in memory (float HWC images, optional labels / targets), with an optional
// augmentation applied to each sample on get(): geometric ops move image and target together
// (`augment`), `input_augment` (noise, jitter ...) changes the image only.
class MemoryDataset final : public Dataset {
 public:
  MemoryDataset(std::vector<cv::Mat> images, std::vector<int> labels, std::vector<cv::Mat> targets = {},
                AugmentPtr augment = nullptr, AugmentPtr input_augment = nullptr);
  std::size_t size() const override { return images_.size(); }
  Sample get(std::size_t index, Rng& rng) const override;

 private:
  std::vector<cv::Mat> images_;
  std::vector<int> labels_;
  std::vector<cv::Mat> targets_;
  AugmentPtr augment_, input_augment_;
};

// A dataset computed by a function (e.g. random crops from a few large images).
class FunctionDataset final : public Dataset {
 public:
  using Fn = std::function<Sample(std::size_t index, Rng& rng)>;
  FunctionDataset(std::size_t size, Fn fn) : size_(size), fn_(std::move(fn)) {}
  std::size_t size() const override { return size_; }
  Sample get(std::size_t index, Rng& rng) const override { return fn_(index, rng); }

 private:
  std::size_t size_;
  Fn fn_;
};

// A view of some indices of another dataset (train/validation splits).
class SubsetDataset final : public Dataset {
 public:
  SubsetDataset(DatasetPtr base, std::vector<std::size_t> indices);
  std::size_t size() const override { return indices_.size(); }
  Sample get(std::size_t index, Rng& rng) const override { return base_->get(indices_.at(index), rng); }

 private:
  DatasetPtr base_;
  std::vector<std::size_t> indices_;
};

struct Batch {
  Tensor images;                     // [N, C, H, W] plain f32
  std::vector<int> labels;           // N entries (-1 where the sample has none)
  Tensor targets;                    // [N, Ct, Ht, Wt] plain f32, when samples carry targets
  std::vector<std::size_t> indices;  // dataset indices of the samples
  std::int64_t epoch = 0;
  std::size_t index = 0;             // batch number within its epoch
  std::size_t size() const { return indices.size(); }
};

struct LoaderOptions {
  std::size_t batch_size = 32;
  bool shuffle = true;
  bool drop_last = true;      // drop a final partial batch
  std::uint64_t seed = 0;
  std::size_t prefetch = 2;   // batches built ahead on a background thread; 0 = built inside next()
};

class DataLoader {
 public:
  DataLoader(DatasetPtr dataset, LoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  std::size_t batches_per_epoch() const;
  const LoaderOptions& options() const { return options_; }
  const Dataset& dataset() const { return *dataset_; }

  // The position of the batch the next call returns.
  std::int64_t epoch() const { return epoch_; }
  std::size_t batch_index() const { return batch_; }
  // Moves to batch `batch` of epoch `epoch` (drops prefetched batches).
  void seek(std::int64_t epoch, std::size_t batch = 0);

  // The next batch; after the last batch of an epoch continues with the next (reshuffled) epoch.
  // Throws nn::Error when the dataset yields no batch at all (empty, or smaller than a batch
  // with drop_last) and re-throws dataset errors.
  Batch next();
  // Like next() but returns nullopt once at each epoch's end (then continues with the next
  // epoch): `while (auto b = loader.next_in_epoch()) ...` walks exactly one epoch.
  std::optional<Batch> next_in_epoch();

  // Data-parallel training: from now on every batch holds only part `index` of `count` equal parts
  // of the batch one process would get (the batch size is the global batch; it must divide by
  // `count`). Positions, epochs and per-sample random state stay those of the global batch, so
  // checkpoints and seek() mean the same for any count. Drops prefetched batches.
  void set_shard(std::size_t index, std::size_t count);
  std::size_t shard_count() const { return shard_count_; }

  // Stops the background thread (idempotent; next() restarts it).
  void stop();

  // Builds batch `batch` of epoch `epoch` synchronously (the same batch next() would return).
  Batch make_batch(std::int64_t epoch, std::size_t batch) const;
  // The order in which epoch `epoch` visits the dataset.
  std::vector<std::size_t> epoch_order(std::int64_t epoch) const;

 private:
  struct Worker;
  void advance();

  DatasetPtr dataset_;
  LoaderOptions options_;
  std::int64_t epoch_ = 0;
  std::size_t batch_ = 0;
  bool epoch_end_pending_ = false;
  std::size_t shard_index_ = 0, shard_count_ = 1;
  std::unique_ptr<Worker> worker_;
};

// Stacks samples into a batch (exposed for tests and custom loaders). Throws nn::Error when the
// samples disagree in shape or in having targets.
Batch collate(std::vector<Sample>& samples);

}  // namespace cvpipe::nn
