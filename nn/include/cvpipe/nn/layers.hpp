// The layer zoo: same semantics, hyper-parameters and parameter shapes as the PyTorch modules of
// the same name, so weights cross-check with torch through safetensors.
//   Conv2d.weight [O, I/groups, k, k], .bias [O]       ConvTranspose2d.weight [I, O, k, k], .bias [O]
//   Linear.weight [O, I], .bias [O]                      BatchNorm2d.weight/.bias [C], buffers
//   running_mean, running_var [C] (torch's num_batches_tracked is not kept: momentum is fixed)
// Every class implements Layer (see layer.hpp for buffer ownership and planning rules). Parameters
// are created zero-filled except BatchNorm2d (weight 1, bias 0, running_var 1); initialisers
// (helper code in init.hpp) fill them. Internals hide behind Impl so they can change freely.
#pragma once
#include <cstdint>
#include <memory>

#include "cvpipe/nn/layer.hpp"

namespace cvpipe::nn {

// The hyper-parameters of a convolution or pooling layer, for code that describes a network
// (ONNX export). output_padding: ConvTranspose2d only; count_include_pad: AvgPool2d only.
struct WindowGeometry {
  std::int64_t kernel = 1, stride = 1, padding = 0, dilation = 1, groups = 1, output_padding = 0;
  bool count_include_pad = true;
};

// 2-D convolution (cross-correlation, as torch). Square kernel; symmetric padding.
class Conv2d : public Layer {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
         std::int64_t stride = 1, std::int64_t padding = 0, std::int64_t dilation = 1,
         std::int64_t groups = 1, bool bias = true);
  ~Conv2d() override;
  std::string type() const override { return "Conv2d"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Parameter*> local_parameters() override;
  void set_dtype(DType dtype) override;
  void train(bool on = true) override;
  void reset_plans() override;

  Parameter& weight();
  Parameter* bias();  // nullptr when built without bias
  std::int64_t in_channels() const;
  std::int64_t out_channels() const;
  WindowGeometry geometry() const;

  // Inference fusion (used by containers in eval mode): `bn` folded into this conv's weights and
  // bias, then `relu_alpha` (>= 0; 0 = ReLU) as a post-op when `relu` is set. Takes effect in eval
  // mode only; call with bn == nullptr and relu == false to undo. bn must outlive this layer's use.
  void set_inference_fusion(class BatchNorm2d* bn, bool relu, float relu_alpha = 0.f);

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Transposed 2-D convolution (torch.nn.ConvTranspose2d). out = (in-1)*stride - 2*padding + k +
// output_padding. Weight [in, out, k, k] like torch.
class ConvTranspose2d : public Layer {
 public:
  ConvTranspose2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                  std::int64_t stride = 1, std::int64_t padding = 0, std::int64_t output_padding = 0,
                  bool bias = true);
  ~ConvTranspose2d() override;
  std::string type() const override { return "ConvTranspose2d"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Parameter*> local_parameters() override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  Parameter& weight();
  Parameter* bias();
  WindowGeometry geometry() const;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Fully connected layer. Accepts [N, I] or [N, C, H, W] with C*H*W == I (flattened as torch does).
class Linear : public Layer {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias = true);
  ~Linear() override;
  std::string type() const override { return "Linear"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;  // dx has the dims of the forward input
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Parameter*> local_parameters() override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  Parameter& weight();
  Parameter* bias();

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Max / average pooling (floor mode, as torch's default). stride <= 0 means stride = kernel.
// AvgPool2d counts padding in the divisor by default (torch count_include_pad=True).
class MaxPool2d : public Layer {
 public:
  explicit MaxPool2d(std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0);
  ~MaxPool2d() override;
  std::string type() const override { return "MaxPool2d"; }
  WindowGeometry geometry() const;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

class AvgPool2d : public Layer {
 public:
  explicit AvgPool2d(std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0,
                     bool count_include_pad = true);
  ~AvgPool2d() override;
  std::string type() const override { return "AvgPool2d"; }
  WindowGeometry geometry() const;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Mean over H and W: [N, C, H, W] -> [N, C, 1, 1] (torch AdaptiveAvgPool2d(1)).
class GlobalAvgPool : public Layer {
 public:
  GlobalAvgPool();
  ~GlobalAvgPool() override;
  std::string type() const override { return "GlobalAvgPool"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Batch normalisation over N, H, W per channel. Training: batch statistics (biased variance for
// normalising), running stats updated with momentum (unbiased variance, as torch). Eval: running
// statistics. Parameters weight (gamma) and bias (beta) are not decayed.
class BatchNorm2d : public Layer {
 public:
  explicit BatchNorm2d(std::int64_t channels, float eps = 1e-5f, float momentum = 0.1f);
  ~BatchNorm2d() override;
  std::string type() const override { return "BatchNorm2d"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Parameter*> local_parameters() override;
  std::vector<NamedTensor> local_buffers() override;
  void set_dtype(DType dtype) override;
  void train(bool on = true) override;
  void reset_plans() override;

  Parameter& weight();
  Parameter& bias();
  Tensor running_mean();  // plain f32 [C], aliases the layer's buffer
  Tensor running_var();
  float eps() const;
  std::int64_t channels() const;
  // Training-mode fusion with a following ReLU (oneDNN fuse_norm_relu); containers set it.
  void set_fused_relu(bool on);
  bool fused_relu() const;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Elementwise activations (oneDNN eltwise). All support in-place execution.
class Activation : public Layer {
 public:
  enum class Kind { relu, leaky_relu, tanh, sigmoid, elu };
  Activation(Kind kind, float alpha = 0.f);
  ~Activation() override;
  std::string type() const override;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override { return in.at(0); }
  bool supports_inplace() const override { return true; }
  bool needs_output_for_backward() const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;
  Kind kind() const;
  float alpha() const;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

class ReLU : public Activation {
 public:
  ReLU() : Activation(Kind::relu) {}
};
class LeakyReLU : public Activation {
 public:
  explicit LeakyReLU(float negative_slope = 0.01f) : Activation(Kind::leaky_relu, negative_slope) {}
};
class Tanh : public Activation {
 public:
  Tanh() : Activation(Kind::tanh) {}
};
class Sigmoid : public Activation {
 public:
  Sigmoid() : Activation(Kind::sigmoid) {}
};
class ELU : public Activation {
 public:
  explicit ELU(float alpha = 1.f) : Activation(Kind::elu, alpha) {}
};

// Softmax / log-softmax over dimension 1 (classes / channels) of a 2-D or 4-D tensor.
class Softmax : public Layer {
 public:
  explicit Softmax(bool log = false);
  ~Softmax() override;
  std::string type() const override;
  bool log() const;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override { return in.at(0); }
  bool needs_output_for_backward() const override { return true; }
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

class LogSoftmax : public Softmax {
 public:
  LogSoftmax() : Softmax(true) {}
};

// Spatial upsampling by an integer-or-real scale: nearest (torch mode='nearest') or bilinear
// (torch mode='bilinear', align_corners=False). Output size = floor(in * scale).
class Upsample : public Layer {
 public:
  enum class Mode { nearest, bilinear };
  explicit Upsample(float scale = 2.f, Mode mode = Mode::nearest);
  ~Upsample() override;
  std::string type() const override { return "Upsample"; }
  float scale() const;
  Mode mode() const;
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Inverted dropout: in training each element is zeroed with probability p and the rest scaled by
// 1/(1-p); identity in eval. Masks come from a counter-based hash of (seed, call number, element
// position in the buffer): deterministic for a seed and input layout, independent of thread count.
class Dropout : public Layer {
 public:
  explicit Dropout(float p = 0.5f, std::uint64_t seed = 0);
  ~Dropout() override;
  std::string type() const override { return "Dropout"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override { return in.at(0); }
  void reset_plans() override;
  float p() const;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// [N, C, H, W] -> [N, C*H*W] in torch's (row-major NCHW) order. 2-D input passes through.
class Flatten : public Layer {
 public:
  Flatten();
  ~Flatten() override;
  std::string type() const override { return "Flatten"; }
  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Elementwise sum of >= 1 inputs of equal dims (any layouts). Gradient: dy to every input.
class Add : public Layer {
 public:
  Add();
  ~Add() override;
  std::string type() const override { return "Add"; }
  int num_inputs() const override { return 0; }
  Tensor forward(const Tensor& x) override;
  Tensor forward_n(std::span<const Tensor> xs) override;
  std::vector<Tensor> backward_n(const Tensor& dy) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Elementwise product of two inputs of equal dims (gated convolutions: features * sigmoid(gate)).
// Gradient: dy * other input, to each input.
class Multiply : public Layer {
 public:
  Multiply();
  ~Multiply() override;
  std::string type() const override { return "Multiply"; }
  int num_inputs() const override { return 2; }
  Tensor forward(const Tensor& x) override;  // throws: needs two inputs
  Tensor forward_n(std::span<const Tensor> xs) override;
  std::vector<Tensor> backward_n(const Tensor& dy) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// Concatenation along the channel axis (dim 1) of >= 1 inputs with equal N, H, W.
class Concat : public Layer {
 public:
  Concat();
  ~Concat() override;
  std::string type() const override { return "Concat"; }
  int num_inputs() const override { return 0; }
  Tensor forward(const Tensor& x) override;
  Tensor forward_n(std::span<const Tensor> xs) override;
  std::vector<Tensor> backward_n(const Tensor& dy) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  void set_dtype(DType dtype) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cvpipe::nn
