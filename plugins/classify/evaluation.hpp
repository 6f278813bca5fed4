// Evaluating a Classifier on a labelled dataset: accuracy, per-class accuracy, the confusion matrix
// and the time per image (preprocessing included), plus the confusion-matrix PNG and the JSON the
// `eval` command prints. Pure functions over their inputs; the Classifier is used from the calling
// thread only.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/classify/dataset.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::classify {

struct EvalResult {
  double accuracy = 0.0;
  std::int64_t n = 0;
  std::vector<double> per_class;            // accuracy per class (NaN-free: 0 for a class with no samples)
  std::vector<std::vector<int>> confusion;  // [true][predicted] counts
  std::vector<std::string> class_names;
  double ms_per_image = 0.0;
};

// Fails when the dataset's class count differs from the model's.
Status evaluate(Classifier& model, const LabeledImages& data, InputMode mode, EvalResult& out);
// The same result from the ranks of a sharded job (nn/distributed.hpp; one rank: evaluate()):
// each rank predicts the samples it owns, counts and times are summed across ranks, and every rank
// returns the numbers of one process. Every rank must call it.
Status evaluate_sharded(Classifier& model, const LabeledImages& data, InputMode mode, EvalResult& out);

// {"accuracy":..,"n":..,"per_class":[..],"ms_per_image":..,"class_names":[..],"confusion":[[..]..]}
std::string eval_json(const EvalResult& r, const std::string& model, const std::string& dataset);

// A confusion-matrix image: cells shaded by row-normalised frequency, counts printed, class names
// on both axes, accuracy in the title. Written atomically (PNG).
cv::Mat render_confusion(const EvalResult& r, const std::string& title);
Status write_confusion_png(const EvalResult& r, const std::string& title, const std::filesystem::path& png);

}  // namespace cvpipe::classify
