// FramePool: see frame_pool.hpp.
#include "io/frame_pool.hpp"

namespace cvpipe::io {

namespace {
// Only the pool references the buffer (an atomic read: holders release on other threads).
bool is_free(const cv::Mat& m) { return m.u != nullptr && CV_XADD(&m.u->refcount, 0) == 1; }
}  // namespace

cv::Mat FramePool::acquire() {
  for (const auto& b : buffers_) {
    if (is_free(b)) return b;
  }
  return {};
}

void FramePool::keep(const cv::Mat& image) {
  if (image.u == nullptr || buffers_.size() >= capacity_) return;
  for (const auto& b : buffers_) {
    if (b.u == image.u) return;
  }
  buffers_.push_back(image);
}

}  // namespace cvpipe::io
