// lenet-train: LeNet-5, batch 64 of 3x32x32, SGD lr 0.001 momentum 0.9, cross-entropy.
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"

namespace cvpipe::bench {
namespace {

class LenetTrain final : public BenchCase {
 public:
  explicit LenetTrain(nn::DType dtype)
      : net_(make_lenet()), x_(random_tensor({64, 3, 32, 32}, 1)), y_(random_labels(64, 10, 2)) {
    nn::Rng rng(42);
    nn::init_network(*net_, nn::InitScheme::torch_default, rng);
    net_->set_dtype(dtype);
    net_->set_needs_input_grad(false);
    nn::SgdOptions o;
    o.lr = 0.001;
    o.momentum = 0.9;
    opt_ = std::make_unique<nn::Sgd>(net_->parameters(), o);
  }
  double step() override {
    opt_->zero_grad();
    nn::Tensor out = net_->forward(x_);
    loss_ = nn::cross_entropy(out, y_, {}, loss_.grad);
    net_->backward(loss_.grad);
    opt_->step();
    return loss_.loss;
  }

 private:
  std::shared_ptr<nn::Sequential> net_;
  nn::Tensor x_;
  std::vector<int> y_;
  std::unique_ptr<nn::Optimizer> opt_;
  nn::LossResult loss_;
};

}  // namespace

std::unique_ptr<BenchCase> make_lenet_train(nn::DType dtype) { return std::make_unique<LenetTrain>(dtype); }

}  // namespace cvpipe::bench
