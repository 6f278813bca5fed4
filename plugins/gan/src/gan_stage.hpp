// Stage `gan` (kind source): generates digit images with the class-conditional generator.
//   mode sample: `count` images; class c, or -1 = classes 0, 1, 2, ... in turn; sample i uses the
//                latent vector (seed, i), so a seed reproduces the same images in every run.
//   mode walk:   `count` frames of a smooth latent walk (a video): spherical interpolation between
//                key latents every `walk_steps` frames (eased); with class -1 the class vector also
//                morphs from one digit to the next.
// Frames: 8-bit gray, white on black, model size (32) or `size` x `size`; source "gan_c7_000012";
// labels = [{id: class, name, score: class weight}]; meta gan_class, gan_index, gan_seed.
// Guarantees: configure() validates the model file fully (a bad file is an error naming it);
// produce() never throws. Not thread-safe (the host never calls a stage from two threads).
#pragma once
#include <deque>
#include <memory>
#include <vector>

#include "cvpipe/stage.hpp"
#include "model_file.hpp"

namespace cvpipe::gan {

class GanStage : public SourceStage {
 public:
  static std::vector<ParamSpec> params();

  Status configure(const Params& params, const StageContext& ctx) override;
  Status open(const StreamInfo& in, StreamInfo& out) override;
  Status produce(Frame& frame) override;
  Status close() override;

 private:
  Status generate_batch();
  // The class vector and reported label of item i.
  void class_of(std::int64_t i, std::vector<float>& weights, int& label, float& score) const;
  std::vector<float> latent_of(std::int64_t i) const;

  GeneratorFile model_;
  std::int64_t count_ = 0;
  int class_ = -1;
  std::uint64_t seed_ = 0;
  double truncation_ = 0.0;
  int size_ = 0;
  bool walk_ = false;
  int walk_steps_ = 16;
  int batch_ = 64;
  int interpolation_ = 0;

  std::int64_t next_ = 0;  // next item to generate
  std::deque<Frame> ready_;
};

}  // namespace cvpipe::gan
