// Stage `classify`: labels whole frames (top-k Labels) or each detection box of an earlier stage
// (its class_id, label and score) with a classify model. Frames are batched (preferred_batch() =
// `batch`); pictures of any size, depth and channel count are mapped to the model's input as
// described in preprocess.hpp (`prepare: auto`) or only resized (`prepare: none`).
// Labels / detections whose top probability is below `threshold` are left out / left unchanged.
// An empty frame image is an invalid_argument error naming the frame; the other frames of the
// same batch are still labelled. Not thread-safe (one instance per thread, as the host guarantees).
#pragma once
#include <memory>
#include <vector>

#include "cvpipe/classify/classifier.hpp"
#include "cvpipe/stage.hpp"

namespace cvpipe::classify {

class ClassifyStage final : public TransformStage {
 public:
  static std::vector<ParamSpec> params();

  Status configure(const Params& params, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status process(Frame& frame) override;
  int preferred_batch() const override { return batch_; }
  Status process_batch(std::vector<Frame>& frames) override;

 private:
  std::string name_ = "classify";
  std::unique_ptr<Classifier> model_;
  int top_k_ = 1;
  bool crops_ = false;
  int batch_ = 16;
  float threshold_ = 0.f;
  float margin_ = 0.f;
  InputMode mode_ = InputMode::automatic;
};

}  // namespace cvpipe::classify
