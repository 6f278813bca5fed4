// GAN evaluation: see gan_metrics.hpp.
#include "gan_metrics.hpp"

#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "frechet.hpp"
#include "latent.hpp"
#include "cvpipe/nn/random.hpp"

#ifdef CVPIPE_GAN_HAVE_CLASSIFIER
#include "cvpipe/classify/classifier.hpp"
#endif

namespace cvpipe::gan {

std::string GanMetrics::to_json() const {
  auto round6 = [](double v) { return std::isfinite(v) ? std::round(v * 1e6) / 1e6 : v; };
  nlohmann::ordered_json j;
  j["confidence"] = round6(confidence);
  j["class_accuracy"] = round6(class_accuracy);
  j["effective_classes"] = round6(effective_classes);
  j["frechet_distance"] = round6(frechet_distance);
  j["frechet_real_vs_real"] = round6(frechet_real_vs_real);
  j["real_confidence"] = round6(real_confidence);
  j["n"] = n;
  return j.dump();
}

#ifdef CVPIPE_GAN_HAVE_CLASSIFIER

bool classifier_available() { return true; }

struct GanEvaluator::Impl {
  std::unique_ptr<classify::Classifier> classifier;
  Gaussian real;
  double real_vs_real = 0.0;
  double real_confidence = 0.0;
  cv::Size cell{kDigitsCell, kDigitsCell};
};

namespace {

// Generates n images (latents from `seed`, class vectors from `labels`) and returns the
// classifier's probabilities and features.
Status classify_generated(GanEvaluator::Impl& im, Generator& g, const std::vector<int>& labels, std::uint64_t seed,
                          double truncation, int batch, cv::Mat& probs, cv::Mat& feats) {
  const int n = static_cast<int>(labels.size());
  const int classes = g.arch().num_classes;
  std::vector<cv::Mat> images;
  images.reserve(labels.size());
  for (int first = 0; first < n; first += batch) {
    const int m = std::min(batch, n - first);
    const auto z = latent_batch(seed, static_cast<std::uint64_t>(first), m, g.arch().z_dim, truncation);
    const std::vector<int> lab(labels.begin() + first, labels.begin() + first + m);
    for (const cv::Mat& out : g.generate(z, one_hot(lab, classes), m)) {
      DigitFit fit = DigitFit::pad;
      parse_fit(g.arch().fit, fit);
      images.push_back(cell_from_image(to_8bit(out), im.cell.width, fit));
    }
  }
  return im.classifier->predict(images, probs, &feats, classify::InputMode::prepared);
}

}  // namespace

Status GanEvaluator::create(const std::filesystem::path& classifier, const std::filesystem::path& digits,
                            std::unique_ptr<GanEvaluator>& out) {
  auto impl = std::make_unique<Impl>();
  CVPIPE_RETURN_IF_ERROR(classify::Classifier::load(classifier, impl->classifier));
  if (impl->classifier->num_classes() != kDigitsClasses)
    return Status::invalid("gan eval: classifier '" + classifier.string() + "' has " +
                           std::to_string(impl->classifier->num_classes()) + " classes, the digits have 10");
  DigitsDataset test;
  CVPIPE_RETURN_IF_ERROR(DigitsDataset::load(digits.empty() ? DigitsDataset::default_file() : digits,
                                             DigitsSplit::test(), kDigitsCell, test));
  std::vector<cv::Mat> cells;
  for (std::size_t i = 0; i < test.size(); ++i) cells.push_back(test.cell(i));
  cv::Mat probs, feats;
  CVPIPE_RETURN_IF_ERROR(impl->classifier->predict(cells, probs, &feats, classify::InputMode::prepared));
  impl->real = fit_gaussian(feats);
  for (int i = 0; i < probs.rows; ++i) {
    double top = 0.0;
    cv::minMaxLoc(probs.row(i), nullptr, &top);
    impl->real_confidence += top / probs.rows;
  }
  // Halves: even and odd positions (columns alternate, so both halves hold every class equally).
  cv::Mat even, odd;
  for (int i = 0; i < feats.rows; ++i) (i % 2 == 0 ? even : odd).push_back(feats.row(i));
  impl->real_vs_real = frechet_distance(even, odd);
  out.reset(new GanEvaluator(std::move(impl)));
  return {};
}

Status GanEvaluator::evaluate(Generator& g, int n, std::uint64_t seed, double truncation, int batch, GanMetrics& out) {
  if (n < 10) return Status::invalid("gan eval: n must be at least 10");
  const int classes = g.arch().num_classes;
  if (classes != impl_->classifier->num_classes())
    return Status::invalid("gan eval: the generator has " + std::to_string(classes) + " classes, the classifier " +
                           std::to_string(impl_->classifier->num_classes()));
  GanMetrics m;
  m.n = n;
  // Conditional set: classes in turn.
  std::vector<int> labels(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) labels[i] = i % classes;
  cv::Mat probs, feats;
  CVPIPE_RETURN_IF_ERROR(classify_generated(*impl_, g, labels, seed, truncation, batch, probs, feats));
  int correct = 0;
  double conf = 0.0;
  for (int i = 0; i < n; ++i) {
    cv::Point arg;
    double top = 0.0;
    cv::minMaxLoc(probs.row(i), nullptr, &top, nullptr, &arg);
    conf += top;
    correct += arg.x == labels[i];
  }
  m.confidence = conf / n;
  m.class_accuracy = static_cast<double>(correct) / n;
  m.frechet_distance = frechet_distance(fit_gaussian(feats), impl_->real);
  m.frechet_real_vs_real = impl_->real_vs_real;
  m.real_confidence = impl_->real_confidence;

  // Unconditional set: a uniformly random class per sample, its own latent stream.
  nn::Rng rng(nn::derive_seed(seed, 0x0c1a55));
  for (auto& c : labels) c = static_cast<int>(nn::uniform_int(rng, 0, classes - 1));
  CVPIPE_RETURN_IF_ERROR(
      classify_generated(*impl_, g, labels, nn::derive_seed(seed, 0x01c0), truncation, batch, probs, feats));
  std::vector<double> hist(static_cast<std::size_t>(classes), 0.0);
  for (int i = 0; i < n; ++i) {
    cv::Point arg;
    cv::minMaxLoc(probs.row(i), nullptr, nullptr, nullptr, &arg);
    hist[arg.x] += 1.0;
  }
  double entropy = 0.0;
  for (double h : hist)
    if (h > 0) entropy -= (h / n) * std::log(h / n);
  m.effective_classes = std::exp(entropy);
  out = m;
  return {};
}

#else  // built without the classify plugin

bool classifier_available() { return false; }
struct GanEvaluator::Impl {};
Status GanEvaluator::create(const std::filesystem::path&, const std::filesystem::path&, std::unique_ptr<GanEvaluator>&) {
  return Status::unsupported("gan eval: this build has no classify plugin (cvpipe_classify_model); the evaluation needs it");
}
Status GanEvaluator::evaluate(Generator&, int, std::uint64_t, double, int, GanMetrics&) {
  return Status::unsupported("gan eval: built without the classifier");
}

#endif

GanEvaluator::GanEvaluator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GanEvaluator::~GanEvaluator() = default;

}  // namespace cvpipe::gan
