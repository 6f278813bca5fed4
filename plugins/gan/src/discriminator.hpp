// Discriminator: the class-conditional DCGAN discriminator. Conv(4,2,1) 32 -> 16 + LeakyReLU(0.2),
// two Conv(4,2,1) + BatchNorm + LeakyReLU(0.2) -> 8 -> 4, then a 4x4 convolution head. Conditioning
// (GanArch::d_conditioning): `projection` — the head has one output per class and the logit of the
// requested class is used (a projection discriminator, Miyato & Koyama 2018, with the shared term
// folded into the class rows); `concat` — one-hot label planes join the image at the input and the
// head has one output; `both`.
//
// Parameter names: conv1..conv4 .weight/.bias (conv2, conv3 without bias), bn2, bn3.
// Guarantees: forward() returns one real/fake logit per sample; backward() takes dL/dlogit and
// returns dL/dimage (N x 1 x S x S; an undefined tensor after set_input_grad(false)) while
// accumulating parameter gradients. Not thread-safe.
#pragma once
#include <memory>
#include <vector>

#include "cvpipe/nn/containers.hpp"
#include "gan_arch.hpp"

namespace cvpipe::gan {

class Discriminator {
 public:
  explicit Discriminator(const GanArch& arch);

  const GanArch& arch() const { return arch_; }
  nn::Graph& net() { return *net_; }

  // images: N x 1 x S x S (any layout); labels: N class ids. Returns N logits.
  std::vector<float> forward(const nn::Tensor& images, const std::vector<int>& labels);
  // dlogits: N values (dL/dlogit of the last forward). Returns dL/dimages.
  nn::Tensor backward(const std::vector<float>& dlogits);

  void train(bool on = true) { net_->train(on); }
  // Whether backward() computes dL/dimages (the generator update needs it, the discriminator update
  // does not: skipping it saves the first convolution's backward-data pass). Cheap to toggle; takes
  // effect at the next forward(). Default on.
  void set_input_grad(bool on);

 private:
  bool projection() const { return arch_.d_conditioning != DConditioning::concat; }
  bool concat() const { return arch_.d_conditioning != DConditioning::projection; }

  GanArch arch_;
  std::shared_ptr<nn::Graph> net_;
  std::vector<int> labels_;   // of the last forward
  nn::Dims head_dims_;        // of the last forward's head output
};

}  // namespace cvpipe::gan
