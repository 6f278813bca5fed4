// Classifier: a trained classify model loaded from a .safetensors file, ready to label batches of
// cv::Mat images. This is the public face of the static library `cvpipe_classify_model` that other
// plugins (e.g. gan, for its evaluation) link.
//
// load() validates the file fully before use: the safetensors container, the metadata (see
// model_spec.hpp), and every tensor's name and shape against the declared architecture (a model
// whose input size or class count disagrees with its tensors is refused, naming the tensor).
// predict() accepts images of any size, 8U or 16U or 32F (32F in [0, 1]), gray, BGR or BGRA, and
// returns softmax probabilities and the penultimate-layer features (the input of the last Linear).
// An ensemble file (ModelSpec::members > 1) returns the mean of its members' softmax outputs and
// the features of member 0.
// An empty image is an invalid_argument error naming its index; an output that is not finite (NaN or
// infinity) is a runtime error naming the image, never a label.
//
// Threading: a Classifier runs on one thread at a time (it owns planned oneDNN primitives);
// create one per thread for parallel use. Copying is disabled; moving the unique_ptr is fine.
#pragma once
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "cvpipe/classify/model_spec.hpp"
#include "cvpipe/nn/layer.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::classify {

// The shipped digits model: the default of the `model` parameter of the stage and the eval command
// (the host finds it under the model search folders, cvpipe/model_file.hpp).
inline constexpr const char* kDefaultModel = "models/classify_digits.safetensors";

enum class InputMode {
  // Map arbitrary pictures to the model's domain first (digits: polarity detection, ink crop,
  // re-centring; see preprocess.hpp). What the `classify` stage uses by default.
  automatic,
  // The images already look like the training data (for digits: white-on-black cells such as the
  // digits.png cells or a generator's output): only colour conversion, fit and normalisation.
  prepared,
};

class Classifier {
 public:
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // Loads and validates `file`. On failure `out` is untouched and the Status names the file.
  static Status load(const std::filesystem::path& file, std::unique_ptr<Classifier>& out);

  const ModelSpec& spec() const;
  const std::filesystem::path& file() const;
  int num_classes() const;
  int feature_dim() const;  // length of one penultimate feature vector

  // probs: N x num_classes CV_32F, rows sum to 1. features (optional): N x feature_dim CV_32F.
  // Large batches are split internally into chunks of max_batch().
  Status predict(std::span<const cv::Mat> images, cv::Mat& probs, cv::Mat* features = nullptr,
                 InputMode mode = InputMode::automatic);
  // Convenience for one image.
  Status predict(const cv::Mat& image, std::vector<float>& probs, InputMode mode = InputMode::automatic);

  // The networks (ensemble members; each maps the prepared input to logits) and the probabilities
  // predict() computes for an already prepared input [N, C, H, W] (throws nn::Error): for export.
  int members() const;
  nn::Layer& member_network(int i);
  nn::Tensor probabilities(const nn::Tensor& x);

  void set_max_batch(int n);
  int max_batch() const;

  struct Impl;

 private:
  explicit Classifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cvpipe::classify
