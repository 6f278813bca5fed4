// Sequential: a chain of layers with container-level fusions (BN+ReLU in any mode, Conv+BN+ReLU
// folding in eval, monotonic activation moved after a following max-pool) and in-place
// activations where the overwritten tensor is not needed again.
#include <set>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "inplace.hpp"

namespace cvpipe::nn {

struct Sequential::Impl {
  std::vector<LayerPtr> layers;
  bool fusion = true;
  bool valid = false;
  bool sched_training = true;
  std::vector<std::size_t> run;  // indices executed in forward
};

Sequential::Sequential() : impl_(std::make_unique<Impl>()) {}
Sequential::~Sequential() = default;

Sequential& Sequential::add(LayerPtr layer) { return add(std::to_string(impl_->layers.size()), std::move(layer)); }

Sequential& Sequential::add(const std::string& name, LayerPtr layer) {
  if (!layer) fail("add: null layer");
  if (name.empty() || name.find('.') != std::string::npos) fail("add: invalid child name '" + name + "'");
  for (auto& l : impl_->layers) {
    if (l == layer) fail("add: the same layer object is added twice ('" + name + "')");
    if (l->name() == name) fail("add: duplicate child name '" + name + "'");
  }
  layer->set_name(name);
  layer->train(training_);
  layer->set_dtype(dtype_);
  impl_->layers.push_back(std::move(layer));
  impl_->valid = false;
  return *this;
}

std::size_t Sequential::size() const { return impl_->layers.size(); }
Layer& Sequential::at(std::size_t i) {
  if (i >= impl_->layers.size()) fail("index " + std::to_string(i) + " out of range");
  return *impl_->layers[i];
}
LayerPtr Sequential::layer(std::size_t i) const { return i < impl_->layers.size() ? impl_->layers[i] : nullptr; }

std::vector<Layer*> Sequential::children() {
  std::vector<Layer*> v;
  for (auto& l : impl_->layers) v.push_back(l.get());
  return v;
}

void Sequential::train(bool on) {
  Layer::train(on);
  impl_->valid = false;
}
void Sequential::set_dtype(DType dtype) { Layer::set_dtype(dtype); }
void Sequential::set_needs_input_grad(bool on) {
  needs_input_grad_ = on;
  impl_->valid = false;
}
void Sequential::set_fusion(bool on) {
  impl_->fusion = on;
  impl_->valid = false;
}
void Sequential::reset_plans() {
  for (auto& l : impl_->layers) l->reset_plans();
  impl_->valid = false;
}

Dims Sequential::output_dims(const std::vector<Dims>& in) const {
  std::vector<Dims> d = in;
  for (auto& l : impl_->layers) d = {l->output_dims(d)};
  if (d.size() != 1) fail("cannot infer output dims");
  return d[0];
}

namespace {
bool is_relu(Layer* l) {
  auto* a = dynamic_cast<Activation*>(l);
  return a && a->kind() == Activation::Kind::relu;
}
bool monotonic(Layer* l) {
  auto* a = dynamic_cast<Activation*>(l);
  return a && a->alpha() >= 0.f;  // relu, leaky (slope >= 0), tanh, sigmoid, elu (alpha >= 0)
}
}  // namespace

static void build_schedule(Sequential::Impl& I, bool training, bool needs_input_grad) {
  I.run.clear();
  const std::size_t n = I.layers.size();
  for (auto& l : I.layers) {
    if (auto* c = dynamic_cast<Conv2d*>(l.get())) c->set_inference_fusion(nullptr, false);
    if (auto* b = dynamic_cast<BatchNorm2d*>(l.get())) b->set_fused_relu(false);
    l->set_inplace(false);
  }
  for (std::size_t i = 0; i < n; ++i) {
    Layer* l = I.layers[i].get();
    Layer* next = i + 1 < n ? I.layers[i + 1].get() : nullptr;
    Layer* next2 = i + 2 < n ? I.layers[i + 2].get() : nullptr;
    // max(f(x)) == f(max(x)) for a non-decreasing f, with the same gradient: run the activation
    // after the pooling, on 1/k^2 of the elements.
    if (I.fusion && monotonic(l) && dynamic_cast<MaxPool2d*>(next)) {
      I.run.push_back(i + 1);
      I.run.push_back(i);
      i += 1;
      continue;
    }
    I.run.push_back(i);
    if (!I.fusion) continue;
    if (auto* c = dynamic_cast<Conv2d*>(l); c && !training) {
      auto* bn = dynamic_cast<BatchNorm2d*>(next);
      if (bn && bn->channels() == c->out_channels()) {
        bool relu = is_relu(next2);
        c->set_inference_fusion(bn, relu);
        i += relu ? 2 : 1;
      } else if (is_relu(next)) {
        c->set_inference_fusion(nullptr, true);
        i += 1;
      }
    } else if (auto* bn = dynamic_cast<BatchNorm2d*>(l); bn && is_relu(next)) {
      bn->set_fused_relu(true);
      i += 1;
    }
  }
  for (std::size_t k = 1; k < I.run.size(); ++k) {
    Layer* l = I.layers[I.run[k]].get();
    Layer* prev = I.layers[I.run[k - 1]].get();
    if (l->supports_inplace() && detail::output_is_private(*prev)) l->set_inplace(true);
  }
  for (std::size_t k = 0; k < I.run.size(); ++k) I.layers[I.run[k]]->set_needs_input_grad(k > 0 || needs_input_grad);
  I.sched_training = training;
  I.valid = true;
}

Tensor Sequential::forward(const Tensor& x) {
  auto& I = *impl_;
  if (I.layers.empty()) return x;
  follow_thread_budget();
  if (!I.valid || I.sched_training != training_) build_schedule(I, training_, needs_input_grad_);
  Tensor h = x;
  for (std::size_t k : I.run) h = I.layers[k]->forward(h);
  return h;
}

Tensor Sequential::backward(const Tensor& dy) {
  auto& I = *impl_;
  if (I.layers.empty()) return dy;
  if (!I.valid) fail("backward() needs a forward() first");
  Tensor g = dy;
  for (auto it = I.run.rbegin(); it != I.run.rend(); ++it) {
    g = I.layers[*it]->backward(g);
    if (!g.defined()) break;
  }
  return needs_input_grad_ ? g : Tensor();
}

}  // namespace cvpipe::nn
