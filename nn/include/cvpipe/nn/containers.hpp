// Containers: Sequential (a chain) and Graph (a small DAG with several-input nodes such as Add and
// Concat, for skip connections). Both are Layers, so they nest; child names prefix parameter
// names ("enc1.conv.weight"), Sequential children default to "0", "1", ... as in torch.
//
// Guarantees: forward runs nodes in insertion (= topological) order, backward in reverse; a tensor
// feeding several nodes receives the sum of their gradients. Containers decide in-place execution
// of activations (only when no other node reads the overwritten tensor and its producer does not
// need its output for backward). Sequential also fuses BatchNorm2d+ReLU (oneDNN fuse_norm_relu),
// folds Conv2d+BatchNorm2d(+ReLU) in eval, and runs a non-decreasing activation followed by
// MaxPool2d as pool-then-activation (same values and gradients, 1/k^2 of the work); set_fusion(false)
// turns these off. The same buffer-ownership rules as Layer apply: the returned tensors belong to
// the container and are overwritten by the next call. backward() follows the most recent
// forward() (forward/backward in pairs; a second forward before backward replaces the saved state).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/nn/layer.hpp"

namespace cvpipe::nn {

class Sequential : public Layer {
 public:
  Sequential();
  ~Sequential() override;
  std::string type() const override { return "Sequential"; }

  // Appends a layer named `name` (default: its index). Returns *this for chaining.
  Sequential& add(LayerPtr layer);
  Sequential& add(const std::string& name, LayerPtr layer);
  template <class L, class... Args>
  L& emplace(const std::string& name, Args&&... args) {
    auto layer = std::make_shared<L>(std::forward<Args>(args)...);
    L& ref = *layer;
    add(name, std::move(layer));
    return ref;
  }

  std::size_t size() const;
  Layer& at(std::size_t i);
  LayerPtr layer(std::size_t i) const;

  Tensor forward(const Tensor& x) override;
  Tensor backward(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Layer*> children() override;
  void train(bool on = true) override;
  void set_dtype(DType dtype) override;
  void set_needs_input_grad(bool on) override;
  void reset_plans() override;
  // Turns container-level fusions (BN+ReLU in training, conv+BN+ReLU in eval) on or off (default on).
  void set_fusion(bool on);

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

// A DAG. Node ids: inputs are 0 .. num_graph_inputs-1 (see input()), layers get increasing ids.
class Graph : public Layer {
 public:
  explicit Graph(int num_graph_inputs = 1);
  ~Graph() override;
  std::string type() const override { return "Graph"; }

  // The id of graph input i.
  int input(int i = 0) const;
  // Adds a node computing `layer` over the outputs of `inputs` (ids of earlier nodes / inputs).
  // The layer is renamed to `name` (must be unique, non-empty, without dots). Returns its id.
  int add(const std::string& name, LayerPtr layer, std::vector<int> inputs);
  template <class L, class... Args>
  int emplace(const std::string& name, std::vector<int> inputs, Args&&... args) {
    return add(name, std::make_shared<L>(std::forward<Args>(args)...), std::move(inputs));
  }
  // The node whose output is the graph's output (default: the last node added).
  void set_output(int id);
  Layer& node(int id);
  int find(const std::string& name) const;  // -1 when absent
  // The structure, for code that describes the graph (ONNX export): ids of the layer nodes in
  // order run, the ids a node reads, and the output node's id.
  std::vector<int> node_ids() const;
  const std::vector<int>& node_inputs(int id) const;
  int output_id() const;

  int num_inputs() const override;
  Tensor forward(const Tensor& x) override;
  Tensor forward_n(std::span<const Tensor> xs) override;
  Tensor backward(const Tensor& dy) override;
  std::vector<Tensor> backward_n(const Tensor& dy) override;
  Dims output_dims(const std::vector<Dims>& in) const override;
  std::vector<Layer*> children() override;
  void train(bool on = true) override;
  void set_dtype(DType dtype) override;
  void set_needs_input_grad(bool on) override;
  void reset_plans() override;

  struct Impl;
 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace cvpipe::nn
