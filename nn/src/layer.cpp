// Layer base: recursive parameter/buffer naming, mode and dtype propagation, default dispatch.
#include "cvpipe/nn/layer.hpp"

namespace cvpipe::nn {

Tensor Layer::forward(const Tensor& x) {
  fail("takes " + std::to_string(num_inputs() == 0 ? 2 : num_inputs()) + " inputs; use forward_n()");
}

Tensor Layer::backward(const Tensor& dy) {
  auto g = backward_n(dy);
  return g.empty() ? Tensor() : g.front();
}

Tensor Layer::forward_n(std::span<const Tensor> xs) {
  if (xs.size() != 1) fail("expects 1 input, got " + std::to_string(xs.size()));
  return forward(xs[0]);
}

std::vector<Tensor> Layer::backward_n(const Tensor& dy) { return {backward(dy)}; }

namespace {
void collect_params(Layer& layer, const std::string& prefix, std::vector<NamedParameter>& out) {
  for (Parameter* p : layer.local_parameters()) out.push_back({prefix + p->name, p});
  for (Layer* c : layer.children()) collect_params(*c, prefix + c->name() + ".", out);
}
void collect_buffers(Layer& layer, const std::string& prefix, std::vector<NamedTensor>& out) {
  for (auto& b : layer.local_buffers()) out.push_back({prefix + b.name, b.tensor});
  for (Layer* c : layer.children()) collect_buffers(*c, prefix + c->name() + ".", out);
}
}  // namespace

std::vector<NamedParameter> Layer::named_parameters() {
  std::vector<NamedParameter> out;
  collect_params(*this, "", out);
  return out;
}

std::vector<Parameter*> Layer::parameters() {
  std::vector<Parameter*> out;
  for (auto& np : named_parameters()) out.push_back(np.param);
  return out;
}

std::vector<NamedTensor> Layer::named_buffers() {
  std::vector<NamedTensor> out;
  collect_buffers(*this, "", out);
  return out;
}

void Layer::zero_grad() {
  for (Parameter* p : parameters()) p->zero_grad();
}

void Layer::train(bool on) {
  training_ = on;
  for (Layer* c : children()) c->train(on);
}

void Layer::set_dtype(DType dtype) {
  dtype_ = dtype;
  for (Layer* c : children()) c->set_dtype(dtype);
}

void Layer::fail(const std::string& what) const {
  throw Error(type() + " '" + name_ + "': " + what);
}

void Layer::follow_thread_budget() {
  const int budget = num_threads();
  if (planned_threads_ == budget) return;
  if (planned_threads_ != 0) reset_plans();
  planned_threads_ = budget;
}

}  // namespace cvpipe::nn
