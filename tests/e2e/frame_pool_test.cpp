// FramePool: a buffer still referenced downstream is never handed out again; a released one is
// (same memory, so decoding into it allocates nothing); the pool keeps at most its capacity.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "io/frame_pool.hpp"

namespace cvpipe::io {
namespace {

// What a reader does per frame: take a buffer, "decode" into it, keep it, hand the frame on.
cv::Mat decode(FramePool& pool, int value) {
  cv::Mat image = pool.acquire();
  image.create(4, 6, CV_8UC3);  // like VideoCapture::read: reuses the buffer when size/type match
  image.setTo(cv::Scalar::all(value));
  pool.keep(image);
  return image;
}

TEST(FramePool, InFlightFramesAreNeverOverwrittenReleasedBuffersAreReused) {
  FramePool pool(3);
  cv::Mat a = decode(pool, 1);
  cv::Mat b = decode(pool, 2);  // a is still held: b must get other memory
  ASSERT_NE(a.data, b.data);
  EXPECT_EQ(a.at<cv::Vec3b>(0, 0)[0], 1);
  EXPECT_EQ(pool.size(), 2u);
  const uchar* a_memory = a.data;
  a.release();                  // downstream lets go of frame a
  cv::Mat c = decode(pool, 3);
  EXPECT_EQ(c.data, a_memory);  // recycled
  EXPECT_EQ(b.at<cv::Vec3b>(3, 5)[2], 2);
  EXPECT_EQ(pool.size(), 2u);
  // A view of a frame keeps it in use.
  const cv::Mat view = c(cv::Rect(1, 1, 2, 2));
  c.release();
  cv::Mat d = decode(pool, 4);
  EXPECT_NE(d.data, a_memory);
  EXPECT_EQ(view.at<cv::Vec3b>(0, 0)[0], 3);
}

TEST(FramePool, KeepsAtMostItsCapacityAndClearDropsEverything) {
  FramePool pool(2);
  std::vector<cv::Mat> in_flight;
  for (int i = 0; i < 5; ++i) in_flight.push_back(decode(pool, i));
  EXPECT_EQ(pool.size(), 2u);
  EXPECT_TRUE(pool.acquire().empty());  // every pooled buffer is in flight
  for (int i = 0; i < 5; ++i) EXPECT_EQ(in_flight[static_cast<size_t>(i)].at<cv::Vec3b>(2, 2)[1], i);
  pool.clear();
  EXPECT_EQ(pool.size(), 0u);
}

}  // namespace
}  // namespace cvpipe::io
