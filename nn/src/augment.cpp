// OpenCV data augmentations. See augment.hpp.
#include "cvpipe/nn/augment.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <opencv2/imgproc.hpp>

namespace cvpipe::nn {
namespace {

void check_group(std::span<cv::Mat> images, const char* op) {
  for (const auto& m : images) {
    if (m.empty()) throw std::invalid_argument(fmt::format("augment {}: empty image", op));
    if (m.size() != images[0].size())
      throw std::invalid_argument(fmt::format("augment {}: images of one group differ in size ({}x{} vs {}x{})", op,
                                              m.cols, m.rows, images[0].cols, images[0].rows));
  }
}

// Runs fn on a float view of m and writes the result back in m's depth (saturating).
template <class Fn>
void in_float(cv::Mat& m, Fn&& fn) {
  if (m.depth() == CV_32F) {
    fn(m);
    return;
  }
  cv::Mat f;
  m.convertTo(f, CV_32F);
  fn(f);
  f.convertTo(m, m.depth());
}

class Flip final : public Augment {
 public:
  explicit Flip(FlipOptions o) : o_(o) {}
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "flip");
    const bool h = bernoulli(rng, o_.p_horizontal);
    const bool v = bernoulli(rng, o_.p_vertical);
    if (!h && !v) return;
    const int code = h && v ? -1 : (h ? 1 : 0);
    for (auto& m : images) {
      cv::Mat out;
      cv::flip(m, out, code);
      m = out;
    }
  }
  std::string name() const override { return "flip"; }

 private:
  FlipOptions o_;
};

class Crop final : public Augment {
 public:
  explicit Crop(CropOptions o) : o_(o) {
    if (o_.size.width <= 0 || o_.size.height <= 0 || o_.padding < 0)
      throw std::invalid_argument(fmt::format("random_crop: size {}x{} and padding {} must be positive",
                                              o_.size.width, o_.size.height, o_.padding));
  }
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "crop");
    const cv::Size in = images[0].size();
    const int pw = std::max(0, o_.size.width - (in.width + 2 * o_.padding));
    const int ph = std::max(0, o_.size.height - (in.height + 2 * o_.padding));
    const int left = o_.padding + pw / 2, right = o_.padding + pw - pw / 2;
    const int top = o_.padding + ph / 2, bottom = o_.padding + ph - ph / 2;
    const int W = in.width + left + right, H = in.height + top + bottom;
    const int x = static_cast<int>(uniform_int(rng, 0, W - o_.size.width));
    const int y = static_cast<int>(uniform_int(rng, 0, H - o_.size.height));
    for (auto& m : images) {
      cv::Mat padded = m;
      if (left || right || top || bottom) cv::copyMakeBorder(m, padded, top, bottom, left, right, o_.border, cv::Scalar::all(0));
      m = padded(cv::Rect(x, y, o_.size.width, o_.size.height)).clone();
    }
  }
  std::string name() const override { return fmt::format("crop({}x{}, pad {})", o_.size.width, o_.size.height, o_.padding); }

 private:
  CropOptions o_;
};

class Affine final : public Augment {
 public:
  explicit Affine(AffineOptions o) : o_(o) {
    if (o_.scale_min <= 0 || o_.scale_max < o_.scale_min || o_.degrees < 0 || o_.translate < 0)
      throw std::invalid_argument("random_affine: need degrees >= 0, 0 < scale_min <= scale_max, translate >= 0");
  }
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "affine");
    const cv::Size size = images[0].size();
    const double angle = uniform(rng, -o_.degrees, o_.degrees);
    const double scale = uniform(rng, o_.scale_min, o_.scale_max);
    const double tx = uniform(rng, -o_.translate, o_.translate) * size.width;
    const double ty = uniform(rng, -o_.translate, o_.translate) * size.height;
    cv::Mat M = cv::getRotationMatrix2D(cv::Point2f((size.width - 1) * 0.5f, (size.height - 1) * 0.5f), angle, scale);
    M.at<double>(0, 2) += tx;
    M.at<double>(1, 2) += ty;
    for (auto& m : images) {
      cv::Mat out;
      cv::warpAffine(m, out, M, size, o_.interpolation, o_.border, cv::Scalar::all(0));
      m = out;
    }
  }
  std::string name() const override { return "affine"; }

 private:
  AffineOptions o_;
};

class Rot90 final : public Augment {
 public:
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "rot90");
    const auto k = uniform_int(rng, 0, 3);
    if (k == 0) return;
    const int code = k == 1 ? cv::ROTATE_90_CLOCKWISE : (k == 2 ? cv::ROTATE_180 : cv::ROTATE_90_COUNTERCLOCKWISE);
    for (auto& m : images) {
      cv::Mat out;
      cv::rotate(m, out, code);
      m = out;
    }
  }
  std::string name() const override { return "rot90"; }
};

class Noise final : public Augment {
 public:
  explicit Noise(NoiseOptions o) : o_(o) {
    if (o_.sigma_min < 0 || o_.sigma_max < o_.sigma_min)
      throw std::invalid_argument("gaussian_noise: need 0 <= sigma_min <= sigma_max");
  }
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "noise");
    const double sigma = uniform(rng, o_.sigma_min, o_.sigma_max);
    for (auto& m : images) {
      cv::RNG cvrng(rng());
      in_float(m, [&](cv::Mat& f) {
        cv::Mat noise(f.size(), f.type());
        cvrng.fill(noise, cv::RNG::NORMAL, 0.0, sigma);
        f += noise;
        if (o_.clip_min < o_.clip_max) {
          cv::max(f, o_.clip_min, f);
          cv::min(f, o_.clip_max, f);
        }
      });
    }
  }
  std::string name() const override { return fmt::format("noise(sigma {}..{})", o_.sigma_min, o_.sigma_max); }

 private:
  NoiseOptions o_;
};

class Jitter final : public Augment {
 public:
  explicit Jitter(ColorJitterOptions o) : o_(o) {
    if (o_.brightness < 0 || o_.contrast < 0 || o_.saturation < 0 || o_.max_value <= 0)
      throw std::invalid_argument("color_jitter: factors must be >= 0 and max_value > 0");
  }
  void apply(std::span<cv::Mat> images, Rng& rng) const override {
    check_group(images, "color_jitter");
    auto factor = [&](double amount) { return amount > 0 ? uniform(rng, std::max(0.0, 1 - amount), 1 + amount) : 1.0; };
    const double b = factor(o_.brightness);
    const double c = factor(o_.contrast);
    const double s = factor(o_.saturation);
    for (auto& m : images) {
      in_float(m, [&](cv::Mat& f) {
        if (b != 1.0) f *= b;
        clip(f);
        if (c != 1.0) {
          const double mean = cv::mean(gray(f))[0];
          f.convertTo(f, -1, c, (1 - c) * mean);
          clip(f);
        }
        if (s != 1.0 && f.channels() == 3) {
          cv::Mat g3;
          cv::cvtColor(gray(f), g3, cv::COLOR_GRAY2BGR);
          cv::addWeighted(f, s, g3, 1 - s, 0.0, f);
          clip(f);
        }
      });
    }
  }
  std::string name() const override { return "color_jitter"; }

 private:
  static cv::Mat gray(const cv::Mat& f) {
    if (f.channels() == 1) return f;
    cv::Mat g;
    cv::cvtColor(f, g, f.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
    return g;
  }
  void clip(cv::Mat& f) const {
    cv::max(f, 0.0, f);
    cv::min(f, o_.max_value, f);
  }
  ColorJitterOptions o_;
};

}  // namespace

cv::Mat Augment::operator()(const cv::Mat& image, Rng& rng) const {
  cv::Mat m = image.clone();
  apply(std::span<cv::Mat>(&m, 1), rng);
  return m;
}

void Compose::apply(std::span<cv::Mat> images, Rng& rng) const {
  for (const auto& op : ops_) op->apply(images, rng);
}

std::string Compose::name() const {
  std::string s = "compose(";
  for (std::size_t i = 0; i < ops_.size(); ++i) s += (i ? ", " : "") + ops_[i]->name();
  return s + ")";
}

AugmentPtr random_flip(FlipOptions options) { return std::make_shared<Flip>(options); }
AugmentPtr random_crop(CropOptions options) { return std::make_shared<Crop>(options); }
AugmentPtr random_affine(AffineOptions options) { return std::make_shared<Affine>(options); }
AugmentPtr random_rot90() { return std::make_shared<Rot90>(); }
AugmentPtr gaussian_noise(NoiseOptions options) { return std::make_shared<Noise>(options); }
AugmentPtr color_jitter(ColorJitterOptions options) { return std::make_shared<Jitter>(options); }

}  // namespace cvpipe::nn
