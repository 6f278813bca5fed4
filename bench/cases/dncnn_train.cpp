// dncnn-train: DnCNN (10 conv3x3, 32 channels), batch 16 of 1x64x64, Adam 1e-3, MSE.
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"

namespace cvpipe::bench {
namespace {

class DncnnTrain final : public BenchCase {
 public:
  explicit DncnnTrain(nn::DType dtype)
      : net_(make_dncnn()),
        x_(random_tensor({16, 1, 64, 64}, 5, nn::DType::f32, true)),
        t_(random_tensor({16, 1, 64, 64}, 6, nn::DType::f32, true)) {
    nn::Rng rng(42);
    nn::init_network(*net_, nn::InitScheme::torch_default, rng);
    net_->set_dtype(dtype);
    net_->set_needs_input_grad(false);
    nn::AdamOptions o;
    o.lr = 1e-3;
    opt_ = std::make_unique<nn::Adam>(net_->parameters(), o);
  }
  double step() override {
    opt_->zero_grad();
    nn::Tensor out = net_->forward(x_);
    loss_ = nn::mse_loss(out, t_, loss_.grad);
    net_->backward(loss_.grad);
    opt_->step();
    return loss_.loss;
  }

 private:
  std::shared_ptr<nn::Sequential> net_;
  nn::Tensor x_, t_;
  std::unique_ptr<nn::Optimizer> opt_;
  nn::LossResult loss_;
};

}  // namespace

std::unique_ptr<BenchCase> make_dncnn_train(nn::DType dtype) { return std::make_unique<DncnnTrain>(dtype); }

}  // namespace cvpipe::bench
