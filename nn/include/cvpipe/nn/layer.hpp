// Layer: the unit of computation of the nn engine (a oneDNN primitive chain with its parameters).
//
// Lifecycle: construct -> forward(x) (plans once per input desc: creates and caches primitive
// descriptors with format_tag::any, the reorders it needs and its output buffers) -> backward(dy)
// (uses what the last forward saved, so call them in pairs; needs a forward in training mode;
// accumulates parameter grads; returns dx) ... Planning happens
// again only for a new input shape/layout/dtype; steady-state steps allocate nothing.
//
// Ownership and aliasing (important): the Tensor returned by forward()/backward() is a buffer owned
// by the layer's plan and is OVERWRITTEN by the next forward()/backward() with the same shape; clone()
// it to keep it. A layer keeps a reference to its forward input until the next forward, so callers
// must not modify a tensor they passed in before backward() has run. Layers marked in-place
// (set_inplace) overwrite their input with the output.
//
// Inputs may arrive in any layout and type; the layer reorders them to what its primitives want.
// Outputs come in the layout the primitive picked (often blocked, e.g. nChw16c, or nhwc for bf16);
// use Tensor::to_vector()/plain() at the edges.
//
// Threading: a Layer is used by one thread at a time, on that thread's budget (see context.hpp:
// containers plan again when the budget changed). Errors throw nn::Error naming the layer.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/parameter.hpp"
#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::nn {

class Layer {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Type name as in PyTorch ("Conv2d", "ReLU", "Sequential").
  virtual std::string type() const = 0;
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Single-input layers implement these.
  virtual Tensor forward(const Tensor& x);
  virtual Tensor backward(const Tensor& dy);

  // Multi-input layers (Add, Concat, Graph) override these; the defaults forward to the
  // single-input versions. backward_n returns one gradient per input (undefined Tensor for inputs
  // that need none).
  virtual int num_inputs() const { return 1; }  // 0 = any number >= 1
  virtual Tensor forward_n(std::span<const Tensor> xs);
  virtual std::vector<Tensor> backward_n(const Tensor& dy);

  // Output dims for input dims, without running anything (for planning and checks).
  virtual Dims output_dims(const std::vector<Dims>& in) const = 0;

  // This layer's own parameters and buffers (not its children's).
  virtual std::vector<Parameter*> local_parameters() { return {}; }
  virtual std::vector<NamedTensor> local_buffers() { return {}; }
  // Child layers (containers): their names prefix their parameter names with a dot.
  virtual std::vector<Layer*> children() { return {}; }

  // All parameters / buffers of this layer and its children, names dotted ("enc1.conv.weight").
  std::vector<NamedParameter> named_parameters();
  std::vector<Parameter*> parameters();
  std::vector<NamedTensor> named_buffers();
  void zero_grad();

  // Mode and precision (recursive). train(true) is the default; eval() == train(false).
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }
  // Compute type: f32, or bf16 (bf16 activations and weight copies, f32 master weights and grads).
  virtual void set_dtype(DType dtype);
  DType dtype() const { return dtype_; }

  // When false, backward() skips the input gradient (returns an undefined Tensor): set it on the
  // first layer of a network. Containers pass it to their first layer(s). Default: true.
  virtual void set_needs_input_grad(bool on) { needs_input_grad_ = on; }
  bool needs_input_grad() const { return needs_input_grad_; }

  // In-place: the output overwrites the input buffer (eltwise layers only; others ignore it).
  // Containers decide this; a layer alone never assumes it may overwrite its input.
  virtual bool supports_inplace() const { return false; }
  void set_inplace(bool on) { inplace_ = on && supports_inplace(); }
  bool inplace() const { return inplace_; }
  // True when backward() reads this layer's own forward output (then a following in-place layer
  // must not overwrite it).
  virtual bool needs_output_for_backward() const { return false; }

  // Drops every cached plan (primitives and buffers); the next forward plans again.
  virtual void reset_plans() {}
  // The thread budget the current plans of a container were made for (0 before its first forward).
  int planned_threads() const { return planned_threads_; }

 protected:
  explicit Layer(std::string name = {}) : name_(std::move(name)) {}
  [[noreturn]] void fail(const std::string& what) const;  // throws nn::Error "Type 'name': what"
  // Containers call this first in forward: drops the plans made under another thread budget than
  // the calling thread's (oneDNN primitives keep the thread count they were created with).
  void follow_thread_budget();

  std::string name_;
  bool training_ = true;
  bool needs_input_grad_ = true;
  bool inplace_ = false;
  DType dtype_ = DType::f32;
  int planned_threads_ = 0;
};

using LayerPtr = std::shared_ptr<Layer>;

}  // namespace cvpipe::nn
