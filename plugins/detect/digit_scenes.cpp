// Digit scenes: see digit_scenes.hpp.
#include "digit_scenes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/digits.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::detect {

// Natural photos without printed digits or text. The test photos are never used for training.
const std::vector<std::string> kTrainBackgrounds = {
    "aero1.jpg",     "aero3.jpg",      "aloeL.jpg",       "apple.jpg",          "basketball1.png", "Blender_Suzanne1.jpg",
    "butterfly.jpg", "chicky_512.png", "ela_original.jpg", "fruits.jpg",        "graf1.png",       "HappyFish.jpg",
    "leuvenA.jpg",   "orange.jpg",     "pca_test1.jpg",   "rubberwhale1.png",   "smarties.png",    "starry_night.jpg",
    "stuff.jpg",     "left01.jpg",     "right05.jpg",
};
const std::vector<std::string> kTestBackgrounds = {"baboon.jpg", "building.jpg", "home.jpg", "messi5.jpg",
                                                   "squirrel_cls.jpg"};

namespace {

// A small deterministic generator (SplitMix64): the same numbers on every platform, unlike the
// standard distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * static_cast<double>(next() >> 11) * 0x1.0p-53; }
  int integer(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }  // [lo, hi]

 private:
  uint64_t s_;
};

double luma(const cv::Scalar& bgr) { return 0.114 * bgr[0] + 0.587 * bgr[1] + 0.299 * bgr[2]; }

// `ink` itself when, blended at `opacity`, it differs from a background of luma `under` by at
// least kMinContrast gray levels; else `ink` darkened or brightened (whichever can) until it does.
cv::Scalar contrasting_ink(cv::Scalar ink, double under, double opacity) {
  constexpr double kMinContrast = 40.0;
  const double need = kMinContrast / opacity;
  const double l = luma(ink);
  if (std::abs(l - under) >= need) return ink;
  const bool darken = under - need >= 0.0 && (under > 127.0 || under + need > 255.0);
  if (darken) return ink * ((under - need) / std::max(l, 1.0));  // luma scales with the colour
  const double t = std::clamp((under + need - l) / std::max(255.0 - l, 1.0), 0.0, 1.0);  // towards white
  return ink + (cv::Scalar::all(255.0) - ink) * t;
}

// The background: a random crop of a photo with the scene's aspect, resized, maybe mirrored.
cv::Mat make_background(const cv::Mat& photo, cv::Size size, Rng& rng) {
  const double aspect = static_cast<double>(size.width) / size.height;
  double cw = photo.cols, ch = cw / aspect;
  if (ch > photo.rows) ch = photo.rows, cw = ch * aspect;
  const double k = rng.uniform(0.5, 1.0);
  cw *= k, ch *= k;
  const double x = rng.uniform(0.0, photo.cols - cw), y = rng.uniform(0.0, photo.rows - ch);
  const cv::Rect crop(static_cast<int>(x), static_cast<int>(y), std::max(1, static_cast<int>(cw)), std::max(1, static_cast<int>(ch)));
  cv::Mat out;
  cv::resize(photo(crop & cv::Rect(0, 0, photo.cols, photo.rows)), out, size, 0, 0, cv::INTER_AREA);
  if (rng.next() & 1) cv::flip(out, out, 1);
  return out;
}

}  // namespace

Status load_scene_sources(const std::filesystem::path& data_dir_in, bool test_split, SceneSources& out) {
  const std::filesystem::path dir = data_dir_in.empty() ? cvpipe::data_dir() : data_dir_in;
  // digits.png's split: columns 0-49 train, 50-99 test (cvpipe/digits.hpp).
  const int half = kDigitsColumns / 2;
  DigitCells digits;
  CVPIPE_RETURN_IF_ERROR(read_digits(dir / "digits.png", test_split ? half : 0, test_split ? kDigitsColumns - 1 : half - 1, digits));
  SceneSources s;
  s.digits = std::move(digits.cells);
  s.labels = std::move(digits.labels);
  s.test = test_split;
  for (const auto& name : test_split ? kTestBackgrounds : kTrainBackgrounds) {
    cv::Mat photo;
    Status st = read_image(dir / name, cv::IMREAD_COLOR, photo);
    if (!st.ok()) return Status(st.code(), "digit scenes: background photo: " + st.message() + " (install opencv-doc or set CVPIPE_DATA)");
    s.backgrounds.push_back(std::move(photo));
  }
  out = std::move(s);
  return {};
}

void compose_scene(const SceneSources& src, uint64_t seed, int64_t index, cv::Mat& image, std::vector<SceneBox>& boxes) {
  Rng rng(seed * 0x2545F4914F6CDD1Dull + static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull + (src.test ? 1 : 0));
  const cv::Size size(rng.integer(320, 640), rng.integer(240, 480));
  cv::Mat scene = make_background(src.backgrounds[rng.next() % src.backgrounds.size()], size, rng);
  cv::Mat scene_f;
  scene.convertTo(scene_f, CV_32FC3);
  boxes.clear();
  const int want = rng.integer(1, 8);
  for (int n = 0; n < want; ++n) {
    const size_t pick = rng.next() % src.digits.size();
    const cv::Mat& cell = src.digits[pick];
    // Ink bounds inside the 20x20 cell: the digit's height is what the scene's height range means.
    cv::Rect ink = cv::boundingRect(cell > 40);
    if (ink.empty()) continue;
    const double height = rng.uniform(16.0, 64.0);
    const double scale = height / ink.height;
    const double angle = rng.uniform(-12.0, 12.0);
    // Warp the cell into a patch big enough for any rotation of the scaled cell.
    const int side = static_cast<int>(std::ceil(20 * scale * 1.5)) + 4;
    cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(ink.x + ink.width / 2.f, ink.y + ink.height / 2.f), angle, scale);
    m.at<double>(0, 2) += side / 2.0 - (ink.x + ink.width / 2.0);
    m.at<double>(1, 2) += side / 2.0 - (ink.y + ink.height / 2.0);
    cv::Mat alpha;
    cv::warpAffine(cell, alpha, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    const cv::Rect tight = cv::boundingRect(alpha >= 64);
    if (tight.empty() || tight.width >= size.width || tight.height >= size.height) continue;
    // Place it: fully inside the scene, overlapping earlier digits only partially.
    bool placed = false;
    cv::Rect box;
    for (int attempt = 0; attempt < 30 && !placed; ++attempt) {
      box = cv::Rect(rng.integer(0, size.width - tight.width), rng.integer(0, size.height - tight.height), tight.width, tight.height);
      placed = true;
      for (const auto& b : boxes) {
        const float inter = (cv::Rect2f(box) & b.box).area();
        if (inter > 0.25f * b.box.area() || inter > 0.25f * box.area()) placed = false;
      }
    }
    if (!placed) continue;
    // Ink colour and opacity, with enough contrast to the background right under the ink.
    const cv::Rect patch_in_scene(box.x - tight.x, box.y - tight.y, side, side);
    const cv::Rect visible = patch_in_scene & cv::Rect(0, 0, size.width, size.height);
    const cv::Mat alpha_visible =
        alpha(cv::Rect(visible.x - patch_in_scene.x, visible.y - patch_in_scene.y, visible.width, visible.height));
    const double under = luma(cv::mean(scene_f(visible), alpha_visible >= 64));
    const float opacity = static_cast<float>(rng.uniform(0.65, 1.0));
    const cv::Scalar ink_color = contrasting_ink(cv::Scalar(rng.uniform(0, 255), rng.uniform(0, 255), rng.uniform(0, 255)),
                                                 under, opacity);
    cv::Mat a;
    alpha_visible.convertTo(a, CV_32F, opacity / 255.0);
    cv::Mat region = scene_f(visible);
    for (int y = 0; y < region.rows; ++y) {
      auto* px = region.ptr<cv::Vec3f>(y);
      const float* w = a.ptr<float>(y);
      for (int x = 0; x < region.cols; ++x)
        for (int c = 0; c < 3; ++c) px[x][c] = px[x][c] * (1.f - w[x]) + static_cast<float>(ink_color[c]) * w[x];
    }
    boxes.push_back({cv::Rect2f(box), src.labels[pick]});
  }
  scene_f.convertTo(image, CV_8UC3);
}

Status write_digit_scenes(const SceneSources& sources, int64_t count, uint64_t seed, const std::filesystem::path& out,
                          CocoDataset& written, const std::function<void(int64_t)>& progress) {
  std::error_code ec;
  std::filesystem::create_directories(out / "images", ec);
  if (ec) return Status::io("cannot create '" + (out / "images").string() + "': " + ec.message());
  CocoDataset d;
  d.root = out;
  for (int c = 0; c < 10; ++c) d.categories.push_back({c, std::to_string(c)});
  for (int64_t i = 0; i < count; ++i) {
    cv::Mat image;
    std::vector<SceneBox> boxes;
    compose_scene(sources, seed, i, image, boxes);
    char name[32];
    std::snprintf(name, sizeof name, "scene_%06lld.jpg", static_cast<long long>(i));
    std::vector<uchar> bytes;
    if (!cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, 95})) return Status::io(std::string("cannot encode ") + name);
    CVPIPE_RETURN_IF_ERROR(nn::write_file_atomic(out / "images" / name, std::as_bytes(std::span<const uchar>(bytes)), false));
    const int64_t image_id = i + 1;
    d.images.push_back({image_id, name, image.cols, image.rows});
    for (const auto& b : boxes)
      d.annotations.push_back({static_cast<int64_t>(d.annotations.size() + 1), image_id, b.digit, b.box, false});
    if (progress) progress(i + 1);
  }
  CVPIPE_RETURN_IF_ERROR(write_coco(d));
  written = std::move(d);
  return {};
}

}  // namespace cvpipe::detect
