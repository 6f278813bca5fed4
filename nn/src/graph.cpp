// Graph: a small DAG of layers. Forward in insertion order, backward in reverse, gradients of a
// tensor read by several nodes summed into graph-owned buffers (oneDNN sum).
#include "cvpipe/nn/containers.hpp"
#include "caches.hpp"
#include "inplace.hpp"

namespace cvpipe::nn {

struct Graph::Impl {
  struct Node {
    std::string name;
    LayerPtr layer;
    std::vector<int> inputs;
  };
  int n_inputs = 1;
  std::vector<Node> nodes;  // node id = n_inputs + index
  int output = -1;
  bool valid = false;
  bool sched_training = true;
  std::vector<Tensor> outs, grads, grad_bufs;
  std::vector<detail::Summer> summers;
  std::vector<int> consumers;
  bool ran = false;

  int total() const { return n_inputs + static_cast<int>(nodes.size()); }
};

Graph::Graph(int n) : impl_(std::make_unique<Impl>()) {
  if (n < 1) fail("needs at least one input");
  impl_->n_inputs = n;
}
Graph::~Graph() = default;

int Graph::input(int i) const {
  if (i < 0 || i >= impl_->n_inputs) fail("input " + std::to_string(i) + " out of range");
  return i;
}

int Graph::num_inputs() const { return impl_->n_inputs; }

int Graph::add(const std::string& name, LayerPtr layer, std::vector<int> inputs) {
  auto& I = *impl_;
  if (!layer) fail("add: null layer for node '" + name + "'");
  if (name.empty() || name.find('.') != std::string::npos) fail("add: invalid node name '" + name + "'");
  if (find(name) >= 0) fail("add: duplicate node name '" + name + "'");
  for (auto& n : I.nodes)
    if (n.layer == layer) fail("add: the same layer object is used by nodes '" + n.name + "' and '" + name + "'");
  if (inputs.empty()) fail("add: node '" + name + "' has no inputs");
  const int id = I.total();
  for (int in : inputs)
    if (in < 0 || in >= id) fail("add: node '" + name + "' reads unknown node id " + std::to_string(in));
  if (layer->num_inputs() != 0 && layer->num_inputs() != static_cast<int>(inputs.size()))
    fail("add: node '" + name + "' (" + layer->type() + ") takes " + std::to_string(layer->num_inputs()) +
         " input(s), got " + std::to_string(inputs.size()));
  layer->set_name(name);
  layer->train(training_);
  layer->set_dtype(dtype_);
  I.nodes.push_back({name, std::move(layer), std::move(inputs)});
  I.output = id;
  I.valid = false;
  return id;
}

void Graph::set_output(int id) {
  if (id < 0 || id >= impl_->total()) fail("set_output: unknown node id " + std::to_string(id));
  impl_->output = id;
  impl_->valid = false;
}

Layer& Graph::node(int id) {
  auto& I = *impl_;
  if (id < I.n_inputs || id >= I.total()) fail("node: id " + std::to_string(id) + " is not a layer node");
  return *I.nodes[static_cast<std::size_t>(id - I.n_inputs)].layer;
}

int Graph::find(const std::string& name) const {
  for (std::size_t i = 0; i < impl_->nodes.size(); ++i)
    if (impl_->nodes[i].name == name) return impl_->n_inputs + static_cast<int>(i);
  return -1;
}

std::vector<Layer*> Graph::children() {
  std::vector<Layer*> v;
  for (auto& n : impl_->nodes) v.push_back(n.layer.get());
  return v;
}

void Graph::train(bool on) {
  Layer::train(on);
  impl_->valid = false;
}
void Graph::set_dtype(DType dtype) { Layer::set_dtype(dtype); }
void Graph::set_needs_input_grad(bool on) {
  needs_input_grad_ = on;
  impl_->valid = false;
}
void Graph::reset_plans() {
  for (auto& n : impl_->nodes) n.layer->reset_plans();
  impl_->grad_bufs.assign(impl_->grad_bufs.size(), Tensor());
  impl_->summers.clear();
  impl_->valid = false;
}

Dims Graph::output_dims(const std::vector<Dims>& in) const {
  auto& I = *impl_;
  if (static_cast<int>(in.size()) != I.n_inputs) fail("expects " + std::to_string(I.n_inputs) + " input(s)");
  std::vector<Dims> d(in);
  for (auto& n : I.nodes) {
    std::vector<Dims> ins;
    for (int k : n.inputs) ins.push_back(d[static_cast<std::size_t>(k)]);
    d.push_back(n.layer->output_dims(ins));
  }
  return d[static_cast<std::size_t>(I.output < 0 ? 0 : I.output)];
}

static void build_graph_schedule(Graph::Impl& I, bool training, bool needs_input_grad) {
  const int total = I.total();
  I.consumers.assign(static_cast<std::size_t>(total), 0);
  for (auto& n : I.nodes)
    for (int k : n.inputs) ++I.consumers[static_cast<std::size_t>(k)];
  I.outs.assign(static_cast<std::size_t>(total), Tensor());
  I.grads.assign(static_cast<std::size_t>(total), Tensor());
  I.grad_bufs.resize(static_cast<std::size_t>(total));
  I.summers.resize(static_cast<std::size_t>(total));
  for (auto& n : I.nodes) {
    Layer& l = *n.layer;
    l.set_inplace(false);
    bool need = false;
    for (int k : n.inputs) need = need || k >= I.n_inputs || needs_input_grad;
    l.set_needs_input_grad(need);
    if (n.inputs.size() == 1 && l.supports_inplace()) {
      int src = n.inputs[0];
      if (src >= I.n_inputs && src != I.output && I.consumers[static_cast<std::size_t>(src)] == 1 &&
          detail::output_is_private(*I.nodes[static_cast<std::size_t>(src - I.n_inputs)].layer))
        l.set_inplace(true);
    }
  }
  I.sched_training = training;
  I.valid = true;
}

Tensor Graph::forward(const Tensor& x) { return forward_n(std::span<const Tensor>(&x, 1)); }

Tensor Graph::forward_n(std::span<const Tensor> xs) {
  auto& I = *impl_;
  if (static_cast<int>(xs.size()) != I.n_inputs)
    fail("expects " + std::to_string(I.n_inputs) + " input(s), got " + std::to_string(xs.size()));
  if (I.nodes.empty()) fail("forward: the graph has no nodes");
  follow_thread_budget();
  if (!I.valid || I.sched_training != training_) build_graph_schedule(I, training_, needs_input_grad_);
  for (int i = 0; i < I.n_inputs; ++i) I.outs[static_cast<std::size_t>(i)] = xs[static_cast<std::size_t>(i)];
  std::vector<Tensor> ins;
  for (std::size_t j = 0; j < I.nodes.size(); ++j) {
    auto& n = I.nodes[j];
    Tensor y;
    if (n.inputs.size() == 1 && n.layer->num_inputs() == 1) {
      y = n.layer->forward(I.outs[static_cast<std::size_t>(n.inputs[0])]);
    } else {
      ins.clear();
      for (int k : n.inputs) ins.push_back(I.outs[static_cast<std::size_t>(k)]);
      y = n.layer->forward_n(ins);
    }
    I.outs[static_cast<std::size_t>(I.n_inputs) + j] = y;
  }
  I.ran = true;
  return I.outs[static_cast<std::size_t>(I.output)];
}

std::vector<Tensor> Graph::backward_n(const Tensor& dy) {
  auto& I = *impl_;
  if (!I.ran || !I.valid) fail("backward() needs a forward() first");
  for (auto& g : I.grads) g = Tensor();
  I.grads[static_cast<std::size_t>(I.output)] = dy;
  auto accumulate = [&](int id, const Tensor& d) {
    auto u = static_cast<std::size_t>(id);
    if (!I.grads[u].defined()) {
      I.grads[u] = d;
      return;
    }
    Tensor& buf = I.grad_bufs[u];
    if (!buf.defined() || !(buf.desc() == I.grads[u].desc())) buf = Tensor::empty(I.grads[u].desc());
    try {
      I.summers[u].run({I.grads[u], d}, buf);
    } catch (const dnnl::error& e) {
      fail("summing gradients of node " + std::to_string(id) + ": " + e.what());
    }
    I.grads[u] = buf;
  };
  for (std::size_t j = I.nodes.size(); j-- > 0;) {
    auto& n = I.nodes[j];
    const Tensor& g = I.grads[static_cast<std::size_t>(I.n_inputs) + j];
    if (!g.defined()) continue;
    if (n.inputs.size() == 1 && n.layer->num_inputs() == 1) {
      Tensor d = n.layer->backward(g);
      if (d.defined()) accumulate(n.inputs[0], d);
    } else {
      auto ds = n.layer->backward_n(g);
      for (std::size_t k = 0; k < n.inputs.size() && k < ds.size(); ++k)
        if (ds[k].defined()) accumulate(n.inputs[k], ds[k]);
    }
  }
  std::vector<Tensor> out;
  for (int i = 0; i < I.n_inputs; ++i) out.push_back(needs_input_grad_ ? I.grads[static_cast<std::size_t>(i)] : Tensor());
  return out;
}

Tensor Graph::backward(const Tensor& dy) { return backward_n(dy).front(); }

std::vector<int> Graph::node_ids() const {
  std::vector<int> ids;
  for (std::size_t i = 0; i < impl_->nodes.size(); ++i) ids.push_back(impl_->n_inputs + static_cast<int>(i));
  return ids;
}
const std::vector<int>& Graph::node_inputs(int id) const {
  auto& I = *impl_;
  if (id < I.n_inputs || id >= I.total()) fail("node_inputs: id " + std::to_string(id) + " is not a layer node");
  return I.nodes[static_cast<std::size_t>(id - I.n_inputs)].inputs;
}
int Graph::output_id() const { return impl_->output; }
}  // namespace cvpipe::nn
