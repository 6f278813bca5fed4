// Image <-> tensor conversions, datasets and the DataLoader: determinism for a seed whatever the
// prefetch depth, epoch coverage, seek/resume, epoch ends, error propagation and clean shutdown.
#include "cvpipe/nn/data_loader.hpp"
#include "cvpipe/nn/data_convert.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>

#include <opencv2/imgproc.hpp>

#include "cvpipe/nn/context.hpp"

namespace cvpipe::nn {
namespace {

cv::Mat color_image(int h, int w) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(x * 20), static_cast<uchar>(y * 30), 200);
  return m;
}

TEST(DataConvert, EightBitRoundTripWithNormalisation) {
  const cv::Mat img = color_image(5, 7);
  const ImageToTensorOptions opt{.channels = 0, .rgb = true, .scale = 0, .mean = {0.5f, 0.4f, 0.3f}, .std = {0.2f, 0.25f, 0.3f}};
  const Tensor t = image_to_tensor(img, opt);
  EXPECT_EQ(t.dims(), (Dims{1, 3, 5, 7}));
  const auto v = t.to_vector();
  // Pixel (y=1, x=2): B=40, G=30, R=200 -> RGB planes, each normalised.
  EXPECT_NEAR(v[0 * 35 + 1 * 7 + 2], (200 / 255.0 - 0.5) / 0.2, 1e-5);
  EXPECT_NEAR(v[1 * 35 + 1 * 7 + 2], (30 / 255.0 - 0.4) / 0.25, 1e-5);
  EXPECT_NEAR(v[2 * 35 + 1 * 7 + 2], (40 / 255.0 - 0.3) / 0.3, 1e-5);
  const cv::Mat back = tensor_to_image(t, 0, opt, CV_8U);
  EXPECT_EQ(back.type(), CV_8UC3);
  EXPECT_EQ(cv::norm(back, img, cv::NORM_INF), 0.0);
}

TEST(DataConvert, ChannelsBatchesAndErrors) {
  const cv::Mat img = color_image(4, 6);
  const Tensor g = image_to_tensor(img, {.channels = 1});
  EXPECT_EQ(g.dims(), (Dims{1, 1, 4, 6}));
  cv::Mat gray;
  cv::cvtColor(img, gray, cv::COLOR_BGR2GRAY);
  EXPECT_NEAR(g.to_vector()[7], gray.at<uchar>(1, 1) / 255.0, 1e-6);
  const std::vector<cv::Mat> imgs{img, img};
  const Tensor b = images_to_tensor(imgs, {.channels = 3});
  EXPECT_EQ(b.dims(), (Dims{2, 3, 4, 6}));
  const cv::Mat f = tensor_to_image(b, 1);
  EXPECT_EQ(f.type(), CV_32FC3);
  EXPECT_NEAR(f.at<cv::Vec3f>(0, 1)[0], 20 / 255.0, 1e-6);
  const std::vector<cv::Mat> mixed{img, color_image(5, 6)};
  EXPECT_THROW(images_to_tensor(mixed), Error);
  EXPECT_THROW(image_to_tensor(cv::Mat()), Error);
  EXPECT_THROW(image_to_tensor(img, {.channels = 2}), Error);
  EXPECT_THROW(image_to_tensor(img, {.mean = {0.1f, 0.2f}}), Error);
  EXPECT_THROW(tensor_to_image(b, 2), Error);
}

// A dataset whose sample i is a 1x2x2 image filled with i plus a random value from the rng.
class CountingDataset : public Dataset {
 public:
  explicit CountingDataset(std::size_t n, std::atomic<int>* calls = nullptr, std::size_t fail_at = SIZE_MAX)
      : n_(n), calls_(calls), fail_at_(fail_at) {}
  std::size_t size() const override { return n_; }
  Sample get(std::size_t index, Rng& rng) const override {
    if (calls_) ++*calls_;
    if (index == fail_at_) throw std::runtime_error("unreadable file");
    Sample s;
    s.image = cv::Mat(2, 2, CV_32F, cv::Scalar(static_cast<double>(index) + uniform01(rng) * 1e-3));
    s.label = static_cast<int>(index % 10);
    return s;
  }

 private:
  std::size_t n_;
  std::atomic<int>* calls_;
  std::size_t fail_at_;
};

std::vector<float> batch_values(const Batch& b) { return b.images.to_vector(); }

TEST(DataLoader, DeterministicForASeedWhateverThePrefetch) {
  auto ds = std::make_shared<CountingDataset>(23);
  DataLoader sync(ds, {.batch_size = 4, .shuffle = true, .drop_last = true, .seed = 9, .prefetch = 0});
  DataLoader async(ds, {.batch_size = 4, .shuffle = true, .drop_last = true, .seed = 9, .prefetch = 3});
  EXPECT_EQ(sync.batches_per_epoch(), 5u);
  for (int i = 0; i < 12; ++i) {  // crosses two epoch boundaries
    const Batch a = sync.next(), b = async.next();
    EXPECT_EQ(a.indices, b.indices);
    EXPECT_EQ(batch_values(a), batch_values(b));
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.epoch, i / 5);
    EXPECT_EQ(a.index, static_cast<std::size_t>(i % 5));
    EXPECT_EQ(a.images.dims(), (Dims{4, 1, 2, 2}));
  }
  DataLoader other(ds, {.batch_size = 4, .seed = 10, .prefetch = 1});
  EXPECT_NE(other.next().indices, DataLoader(ds, {.batch_size = 4, .seed = 9, .prefetch = 1}).next().indices);
}

// Data-parallel shards: the parts of every rank, concatenated, are the global batch (the same
// samples with the same random state), and a batch size that does not divide is refused.
TEST(DataLoader, ShardsPartitionTheGlobalBatch) {
  auto ds = std::make_shared<CountingDataset>(23);
  const LoaderOptions o{.batch_size = 6, .shuffle = true, .drop_last = true, .seed = 4, .prefetch = 2};
  DataLoader whole(ds, o), first(ds, o), second(ds, o);
  first.set_shard(0, 2);
  second.set_shard(1, 2);
  EXPECT_EQ(first.batches_per_epoch(), whole.batches_per_epoch());
  for (int i = 0; i < 5; ++i) {  // crosses an epoch boundary
    const Batch w = whole.next(), a = first.next(), b = second.next();
    std::vector<std::size_t> joined = a.indices;
    joined.insert(joined.end(), b.indices.begin(), b.indices.end());
    EXPECT_EQ(joined, w.indices);
    std::vector<float> values = batch_values(a);
    const std::vector<float> rest = batch_values(b);
    values.insert(values.end(), rest.begin(), rest.end());
    EXPECT_EQ(values, batch_values(w));
    EXPECT_EQ(a.epoch, w.epoch);
  }
  DataLoader odd(ds, o);
  EXPECT_THROW(odd.set_shard(0, 4), Error);
}

TEST(DataLoader, EpochsCoverTheDatasetAndReshuffle) {
  auto ds = std::make_shared<CountingDataset>(20);
  DataLoader loader(ds, {.batch_size = 5, .shuffle = true, .drop_last = false, .seed = 1, .prefetch = 2});
  std::vector<std::size_t> first, second;
  while (auto b = loader.next_in_epoch()) first.insert(first.end(), b->indices.begin(), b->indices.end());
  while (auto b = loader.next_in_epoch()) second.insert(second.end(), b->indices.begin(), b->indices.end());
  EXPECT_EQ(std::set<std::size_t>(first.begin(), first.end()).size(), 20u);
  EXPECT_EQ(first.size(), 20u);
  EXPECT_EQ(std::set<std::size_t>(second.begin(), second.end()).size(), 20u);
  EXPECT_NE(first, second) << "each epoch has its own order";
  EXPECT_EQ(loader.epoch(), 2);
  // Without shuffling, order is the identity and a partial last batch is kept.
  auto ds7 = std::make_shared<CountingDataset>(7);
  DataLoader plain(ds7, {.batch_size = 3, .shuffle = false, .drop_last = false, .prefetch = 0});
  EXPECT_EQ(plain.next().indices, (std::vector<std::size_t>{0, 1, 2}));
  plain.next();
  EXPECT_EQ(plain.next().indices, (std::vector<std::size_t>{6}));
  EXPECT_EQ(plain.epoch(), 1);
}

TEST(DataLoader, SeekResumesExactly) {
  auto ds = std::make_shared<CountingDataset>(30);
  DataLoader a(ds, {.batch_size = 4, .seed = 5, .prefetch = 2});
  std::vector<Batch> run;
  for (int i = 0; i < 16; ++i) run.push_back(a.next());
  DataLoader b(ds, {.batch_size = 4, .seed = 5, .prefetch = 2});
  b.next();  // some prefetching happens, then jump
  b.seek(1, 2);  // batch 9 of the run above (7 batches per epoch)
  for (int i = 9; i < 16; ++i) {
    const Batch x = b.next();
    EXPECT_EQ(x.indices, run[i].indices) << i;
    EXPECT_EQ(batch_values(x), batch_values(run[i])) << "per-sample rng depends only on the position";
  }
  EXPECT_EQ(b.make_batch(0, 3).indices, run[3].indices);
}

TEST(DataLoader, DatasetErrorsPropagateWithContext) {
  auto ds = std::make_shared<CountingDataset>(8, nullptr, 5);
  DataLoader loader(ds, {.batch_size = 4, .shuffle = false, .prefetch = 2});
  EXPECT_NO_THROW(loader.next());
  try {
    loader.next();
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dataset sample 5"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("unreadable file"), std::string::npos) << e.what();
  }
  EXPECT_EQ(loader.batch_index(), 1u) << "the position stays at the failing batch";
  auto tiny = std::make_shared<CountingDataset>(3);
  DataLoader empty(tiny, {.batch_size = 4, .drop_last = true});
  EXPECT_THROW(empty.next(), Error);
}

TEST(DataLoader, PrefetchIsBoundedAndShutsDownCleanly) {
  std::atomic<int> calls{0};
  auto ds = std::make_shared<CountingDataset>(1000, &calls);
  {
    DataLoader loader(ds, {.batch_size = 10, .seed = 2, .prefetch = 2});
    loader.next();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    // One consumed + at most 2 queued + 1 being built when the queue is full.
    EXPECT_LE(calls.load(), 40);
    EXPECT_GE(calls.load(), 30) << "the worker prefetched ahead";
  }  // destructor joins a worker blocked on the full queue
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    DataLoader loader(ds, {.batch_size = 10, .prefetch = 4});
    loader.next();
    loader.stop();
    loader.stop();  // idempotent
    EXPECT_EQ(loader.next().index, 1u) << "restarts after stop()";
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST(DataLoader, MemoryDatasetWithTargetsAndAugmentation) {
  std::vector<cv::Mat> images, targets;
  for (int i = 0; i < 6; ++i) {
    cv::Mat m(6, 6, CV_32FC3);
    cv::randu(m, 0, 1);
    images.push_back(m);
    targets.push_back(m * 2);
  }
  const std::vector<cv::Mat> originals{images[0].clone()};
  auto ds = std::make_shared<MemoryDataset>(images, std::vector<int>{}, targets,
                                            std::make_shared<Compose>(std::vector<AugmentPtr>{random_flip({}), random_rot90()}),
                                            gaussian_noise({.sigma_min = 0.1, .sigma_max = 0.1}));
  DataLoader loader(ds, {.batch_size = 3, .seed = 4, .prefetch = 1});
  const Batch b = loader.next();
  EXPECT_EQ(b.images.dims(), (Dims{3, 3, 6, 6}));
  EXPECT_EQ(b.targets.dims(), (Dims{3, 3, 6, 6}));
  EXPECT_EQ(b.labels, (std::vector<int>{-1, -1, -1}));
  // The target moved with the image (same flip/rotation), the noise touched the image only.
  const auto x = b.images.to_vector(), y = b.targets.to_vector();
  double diff = 0;
  for (std::size_t i = 0; i < x.size(); ++i) diff += std::abs(2 * x[i] - y[i]);
  EXPECT_NEAR(diff / static_cast<double>(x.size()), 2 * 0.1 * std::sqrt(2 / 3.14159265), 0.03);
  EXPECT_EQ(cv::norm(images[0], originals[0], cv::NORM_INF), 0.0) << "stored samples are never modified";
  EXPECT_THROW(MemoryDataset(images, std::vector<int>{1}), Error);
  // Subsets.
  SubsetDataset sub(ds, {4, 1});
  EXPECT_EQ(sub.size(), 2u);
  EXPECT_THROW(SubsetDataset(ds, {6}), Error);
}

TEST(DataLoader, CollateChecksShapes) {
  std::vector<Sample> s(2);
  s[0].image = cv::Mat(2, 3, CV_32FC3, cv::Scalar(1, 2, 3));
  s[1].image = cv::Mat(2, 3, CV_32FC3, cv::Scalar(4, 5, 6));
  const Batch b = collate(s);
  EXPECT_EQ(b.images.dims(), (Dims{2, 3, 2, 3}));
  EXPECT_EQ(b.images.to_vector()[6], 2.0f) << "HWC becomes CHW";
  // A CHW (3-D) sample is taken as is.
  const int sizes[3] = {3, 2, 3};
  s[1].image = cv::Mat(3, sizes, CV_32F, cv::Scalar(7));
  EXPECT_EQ(collate(s).images.to_vector()[18], 7.0f);
  s[1].image = cv::Mat(3, 3, CV_32FC3);
  EXPECT_THROW(collate(s), Error);
  s[1].image = cv::Mat(2, 3, CV_32FC3);
  s[1].target = cv::Mat(2, 3, CV_32FC1);
  EXPECT_THROW(collate(s), Error);
  s[1].target = cv::Mat();
  s[1].image = cv::Mat(2, 3, CV_8UC3);
  EXPECT_THROW(collate(s), Error);
}

}  // namespace
}  // namespace cvpipe::nn
