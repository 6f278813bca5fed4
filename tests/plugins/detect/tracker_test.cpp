// SORT tracker on synthetic moving boxes: ids appear after min_hits, survive short misses, are
// not swapped between crossing-free neighbours, and a track gone longer than max_age ends.
#include <gtest/gtest.h>

#include <map>

#include "tracker.hpp"

namespace cvpipe::detect {
namespace {

Detection box_at(float x, float y, int class_id = 0) { return Detection{cv::Rect2f(x, y, 40, 80), class_id, "person", 0.9f}; }

std::map<float, int> ids_by_x(const std::vector<Detection>& out) {
  std::map<float, int> m;
  for (const auto& d : out) m[d.box.x] = d.track_id;
  return m;
}

TEST(BoxIou, HandComputed) {
  EXPECT_FLOAT_EQ(box_iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.f);
  EXPECT_FLOAT_EQ(box_iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.f / 150.f);
  EXPECT_FLOAT_EQ(box_iou({0, 0, 10, 10}, {20, 0, 10, 10}), 0.f);
  EXPECT_FLOAT_EQ(box_iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.f);
}

TEST(SortTracker, IdsAppearAfterMinHitsAndSurviveAThreeFrameMiss) {
  SortTracker tracker({0.3f, 5, 3});
  int id_a = -1, id_b = -1;
  for (int t = 0; t < 30; ++t) {
    std::vector<Detection> dets;
    const float xa = 50.f + 6.f * t, xb = 400.f - 4.f * t;
    const bool a_missing = t >= 12 && t <= 14;  // three frames without a detection of A
    if (!a_missing) dets.push_back(box_at(xa, 100.f + 2.f * t));
    dets.push_back(box_at(xb, 300.f));
    const auto out = tracker.update(dets);
    if (t < 2) {
      EXPECT_TRUE(out.empty()) << "frame " << t << ": reported before min_hits";
      continue;
    }
    const auto ids = ids_by_x(out);
    ASSERT_EQ(out.size(), dets.size()) << "frame " << t;
    if (!a_missing) {
      ASSERT_TRUE(ids.count(xa));
      if (id_a < 0) id_a = ids.at(xa);
      EXPECT_EQ(ids.at(xa), id_a) << "frame " << t << ": A changed id";
    }
    ASSERT_TRUE(ids.count(xb));
    if (id_b < 0) id_b = ids.at(xb);
    EXPECT_EQ(ids.at(xb), id_b) << "frame " << t << ": B changed id";
  }
  EXPECT_NE(id_a, id_b);
  EXPECT_GT(id_a, 0);
  EXPECT_GT(id_b, 0);
}

TEST(SortTracker, ANewIdAfterMaxAge) {
  SortTracker tracker({0.3f, 4, 2});
  int first = -1;
  for (int t = 0; t < 5; ++t) {
    const auto out = tracker.update({box_at(100, 100)});
    if (t >= 1) {
      ASSERT_EQ(out.size(), 1u);
      if (first < 0) first = out[0].track_id;
      EXPECT_EQ(out[0].track_id, first);
    }
  }
  for (int t = 0; t < 5; ++t) EXPECT_TRUE(tracker.update({}).empty());  // gone for max_age + 1 frames
  EXPECT_EQ(tracker.track_count(), 0u);
  std::vector<Detection> out;
  for (int t = 0; t < 2; ++t) out = tracker.update({box_at(100, 100)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NE(out[0].track_id, first);
  EXPECT_GT(out[0].track_id, first);
}

TEST(SortTracker, ClassesDoNotMatchEachOther) {
  SortTracker tracker({0.3f, 5, 1});
  const auto a = tracker.update({box_at(100, 100, 0)});
  const auto b = tracker.update({box_at(100, 100, 1)});
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_NE(a[0].track_id, b[0].track_id);
}

TEST(SortTracker, ResetStartsIdsAgain) {
  SortTracker tracker({0.3f, 5, 1});
  EXPECT_EQ(tracker.update({box_at(0, 0)}).at(0).track_id, 1);
  tracker.reset();
  EXPECT_EQ(tracker.track_count(), 0u);
  EXPECT_EQ(tracker.update({box_at(300, 0)}).at(0).track_id, 1);
}

}  // namespace
}  // namespace cvpipe::detect
