// unet-train: 3-level U-Net (32/64/128, concat skips), batch 8 of 3x64x64, Adam 1e-3, L1.
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"

namespace cvpipe::bench {
namespace {

class UnetTrain final : public BenchCase {
 public:
  explicit UnetTrain(nn::DType dtype)
      : net_(make_unet()),
        x_(random_tensor({8, 3, 64, 64}, 8, nn::DType::f32, true)),
        t_(random_tensor({8, 3, 64, 64}, 9, nn::DType::f32, true)) {
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
    loss_ = nn::l1_loss(out, t_, loss_.grad);
    net_->backward(loss_.grad);
    opt_->step();
    return loss_.loss;
  }

 private:
  std::shared_ptr<nn::Graph> net_;
  nn::Tensor x_, t_;
  std::unique_ptr<nn::Optimizer> opt_;
  nn::LossResult loss_;
};

}  // namespace

std::unique_ptr<BenchCase> make_unet_train(nn::DType dtype) { return std::make_unique<UnetTrain>(dtype); }

}  // namespace cvpipe::bench
