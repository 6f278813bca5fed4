// GAN evaluation with the digits classifier (static library cvpipe_classify_model):
//   confidence         mean top-1 probability on class-conditional samples (classes i % C, balanced)
//   class_accuracy     fraction of those samples classified as the requested class
//   effective_classes  exp(entropy) of the predicted-class histogram of unconditional samples
//                      (class uniform at random per sample): 10 = every digit equally often
//   frechet_distance   Frechet distance between the classifier's penultimate features of the
//                      conditional samples and of the real digits test split (columns 50-99)
//   frechet_real_vs_real  the same distance between the two halves of the test split (even /
//                      odd columns), the floor to read frechet_distance against
// Generated 32x32 images are brought back to the 20x20 digits cell by inverting how training
// images were made (GanArch::fit: centre crop for pad, INTER_AREA for resize) and classified in
// InputMode::prepared. real_confidence (the classifier's mean top-1 probability on the real test
// digits) is reported beside confidence for scale.
// Sample i of the conditional set uses latent (seed, i); the unconditional set uses its own stream.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

#include "cvpipe/status.hpp"
#include "digits_dataset.hpp"
#include "generator.hpp"

namespace cvpipe::gan {

struct GanMetrics {
  double confidence = 0.0;
  double class_accuracy = 0.0;
  double effective_classes = 0.0;
  double frechet_distance = 0.0;
  double frechet_real_vs_real = 0.0;
  double real_confidence = 0.0;
  std::int64_t n = 0;
  std::string to_json() const;
};

// True when the plugin was built with the classify plugin's model library.
bool classifier_available();

class GanEvaluator {
 public:
  // Loads the classifier and the real test digits (`digits` empty: data_dir()/digits.png) and
  // computes the real features once.
  static Status create(const std::filesystem::path& classifier, const std::filesystem::path& digits,
                       std::unique_ptr<GanEvaluator>& out);
  ~GanEvaluator();

  // Scores `generator` (used as is: call eval() on it first) with n samples per set.
  Status evaluate(Generator& generator, int n, std::uint64_t seed, double truncation, int batch, GanMetrics& out);

  struct Impl;

 private:
  explicit GanEvaluator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cvpipe::gan
