// FramePool: recycles the buffers a reader decodes frames into. A fresh 1-24 MB buffer per frame
// costs page faults on every frame (and, in a pipeline, the free happens on another thread); a
// pooled buffer is decoded into again once every holder downstream has let go of its frame.
// Guarantees: acquire() hands out a pooled buffer only while the pool holds its sole reference, so
// decoding into it never touches a frame still in flight; at most `capacity` buffers are kept;
// clear() drops them. Used by one reader thread.
#pragma once
#include <cstddef>
#include <vector>

#include <opencv2/core.hpp>

namespace cvpipe::io {

class FramePool {
 public:
  explicit FramePool(std::size_t capacity = 8) : capacity_(capacity) {}

  // A free pooled buffer (decoding into it reuses its memory when size and type match), or an
  // empty Mat when every pooled buffer is still in use.
  cv::Mat acquire();
  // After decoding into `image`: keeps its buffer for reuse when it is new and there is room.
  void keep(const cv::Mat& image);
  void clear() { buffers_.clear(); }
  std::size_t size() const { return buffers_.size(); }

 private:
  std::vector<cv::Mat> buffers_;
  std::size_t capacity_;
};

}  // namespace cvpipe::io
