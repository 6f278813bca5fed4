// COCO datasets: write -> read round trip, and clear errors naming the file and the JSON place.
#include <gtest/gtest.h>

#include <fstream>

#include "coco.hpp"
#include "support/process.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::detect {
namespace {

void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file) << text;
}

CocoDataset sample_dataset(const std::filesystem::path& root) {
  CocoDataset d;
  d.root = root;
  d.images = {{1, "a.jpg", 640, 480}, {7, "sub/b.png", 320, 240}};
  d.categories = {{3, "cat"}, {1, "dog"}};
  d.annotations = {{1, 1, 3, cv::Rect2f(10.5f, 20.25f, 30, 40), false},
                   {2, 7, 1, cv::Rect2f(0, 0, 320, 240), true},
                   {5, 7, 3, cv::Rect2f(100, 100, 12.75f, 8), false}};
  return d;
}

TEST(Coco, RoundTrip) {
  cvpipe::test::TempDir tmp;
  const CocoDataset d = sample_dataset(tmp.path() / "set");
  ASSERT_OK(write_coco(d));
  CocoDataset r;
  ASSERT_OK(read_coco(tmp.path() / "set", r));
  EXPECT_EQ(r.root, tmp.path() / "set");
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images[1].id, 7);
  EXPECT_EQ(r.images[1].file_name, "sub/b.png");
  EXPECT_EQ(r.images[1].width, 320);
  EXPECT_EQ(r.image_path(r.images[1]), tmp.path() / "set" / "images" / "sub/b.png");
  ASSERT_EQ(r.categories.size(), 2u);
  EXPECT_EQ(r.categories[0].name, "cat");
  EXPECT_EQ(r.class_index(1), 1);
  EXPECT_EQ(r.class_index(2), -1);
  ASSERT_EQ(r.annotations.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.annotations[i].id, d.annotations[i].id);
    EXPECT_EQ(r.annotations[i].image_id, d.annotations[i].image_id);
    EXPECT_EQ(r.annotations[i].category_id, d.annotations[i].category_id);
    EXPECT_EQ(r.annotations[i].bbox, d.annotations[i].bbox);
    EXPECT_EQ(r.annotations[i].iscrowd, d.annotations[i].iscrowd);
  }
  const auto by_image = r.annotations_by_image();
  EXPECT_EQ(by_image[0].size(), 1u);
  EXPECT_EQ(by_image[1].size(), 2u);
  // The .json file itself names the dataset too.
  CocoDataset again;
  ASSERT_OK(read_coco(tmp.path() / "set" / "annotations.json", again));
  EXPECT_EQ(again.annotations.size(), 3u);
}

TEST(Coco, ReadsMinimalUserFiles) {
  // No annotation ids, float integers, extra keys (segmentation, licenses): all accepted.
  cvpipe::test::TempDir tmp;
  write_text(tmp.path() / "annotations.json",
             R"({"licenses":[],"images":[{"id":1.0,"file_name":"x.jpg","width":10,"height":10,"license":3}],
                 "annotations":[{"image_id":1,"category_id":1,"bbox":[1,2,3,4],"segmentation":[]}],
                 "categories":[{"id":1,"name":"thing","supercategory":"x"}]})");
  CocoDataset r;
  ASSERT_OK(read_coco(tmp.path(), r));
  ASSERT_EQ(r.annotations.size(), 1u);
  EXPECT_EQ(r.annotations[0].id, 1);
  EXPECT_EQ(r.annotations[0].bbox, cv::Rect2f(1, 2, 3, 4));
}

struct BadCase {
  const char* json;
  const char* expect;
};

TEST(Coco, BadFilesNameFileAndPlace) {
  const BadCase cases[] = {
      {R"({"images": [})", "not valid JSON: parse error at line 1"},
      {R"([])", "top level must be a JSON object"},
      // fuzz_coco finding: a number too large for a double is out_of_range in the JSON parser.
      {R"({"images":88888888888e88888})", "not valid JSON: number overflow parsing '88888888888e88888'"},
      {R"({"images":[],"categories":[]})", "missing top-level \"annotations\""},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":0,"height":5}],"annotations":[],"categories":[]})",
       "images[0]: width and height must be in 1..1048576, got 0x5"},
      // Numbers a cast would wrap or overflow: 2^32 + 5 is no width, 1e30 no id, 1e300 no coordinate.
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":4294967301,"height":5}],"annotations":[],"categories":[]})",
       "images[0]: width and height must be in 1..1048576, got 4294967301x5"},
      {R"({"images":[{"id":1e30,"file_name":"a.jpg","width":5,"height":5}],"annotations":[],"categories":[]})",
       "images[0].id: expected an integer, got 1e+30"},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":5,"height":5}],"categories":[{"id":1,"name":"a"}],
           "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[1e300,0,1,1]}]})",
       "annotations[0].bbox: expected 4 finite numbers within +-1000000000"},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":5,"height":5}],"categories":[{"id":1,"name":"a"}],
           "annotations":[{"id":1,"image_id":2,"category_id":1,"bbox":[0,0,1,1]}]})",
       "annotations[0].image_id: no image has id 2"},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":5,"height":5}],"categories":[{"id":1,"name":"a"}],
           "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":[0,0,-1,1]}]})",
       "annotations[0].bbox: width must be > 0"},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":5,"height":5}],"categories":[{"id":1,"name":"a"}],
           "annotations":[{"id":1,"image_id":1,"category_id":1,"bbox":"0 0 1 1"}]})",
       "annotations[0].bbox: expected [x, y, width, height]"},
      {R"({"images":[{"id":1,"file_name":"a.jpg","width":5,"height":5},{"id":1,"file_name":"b.jpg","width":5,"height":5}],
           "categories":[],"annotations":[]})",
       "images[1].id: duplicate image id 1"},
      {R"({"images":[{"id":"1","file_name":"a.jpg","width":5,"height":5}],"categories":[],"annotations":[]})",
       "images[0].id: expected an integer"},
  };
  cvpipe::test::TempDir tmp;
  int n = 0;
  for (const auto& c : cases) {
    const auto dir = tmp.path() / std::to_string(n++);
    write_text(dir / "annotations.json", c.json);
    CocoDataset r;
    const Status st = read_coco(dir, r);
    EXPECT_STATUS(st, invalid_argument);
    EXPECT_NE(st.message().find((dir / "annotations.json").string()), std::string::npos) << st.message();
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << st.message();
  }
}

TEST(Coco, MissingFolderOrFileIsNotFound) {
  cvpipe::test::TempDir tmp;
  CocoDataset r;
  EXPECT_STATUS(read_coco(tmp.path() / "nope", r), not_found);
  EXPECT_STATUS(read_coco(tmp.path(), r), not_found);  // a folder without annotations.json
}

}  // namespace
}  // namespace cvpipe::detect
