// Image-to-image train steps on synthetic U[0,1) pairs, Adam 1e-3:
//   dncnn-train: DnCNN (10 conv3x3, 32 channels), batch 16 of 1x64x64, MSE.
//   unet-train:  3-level U-Net (32/64/128, concat skips), batch 8 of 3x64x64, L1.
#include <cstdint>

#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"

namespace cvpipe::bench {
namespace {

enum class Loss { mse, l1 };

class ImageToImageTrain final : public BenchCase {
 public:
  ImageToImageTrain(std::shared_ptr<nn::Layer> net, nn::DType dtype, const nn::Dims& dims, std::uint64_t seed,
                    Loss loss)
      : net_(std::move(net)),
        x_(random_tensor(dims, seed, nn::DType::f32, true)),
        t_(random_tensor(dims, seed + 1, nn::DType::f32, true)),
        loss_kind_(loss) {
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
    loss_ = loss_kind_ == Loss::mse ? nn::mse_loss(out, t_, loss_.grad) : nn::l1_loss(out, t_, loss_.grad);
    net_->backward(loss_.grad);
    opt_->step();
    return loss_.loss;
  }

 private:
  std::shared_ptr<nn::Layer> net_;
  nn::Tensor x_, t_;
  Loss loss_kind_;
  std::unique_ptr<nn::Optimizer> opt_;
  nn::LossResult loss_;
};

}  // namespace

std::unique_ptr<BenchCase> make_dncnn_train(nn::DType dtype) {
  return std::make_unique<ImageToImageTrain>(make_dncnn(), dtype, nn::Dims{16, 1, 64, 64}, 5, Loss::mse);
}
std::unique_ptr<BenchCase> make_unet_train(nn::DType dtype) {
  return std::make_unique<ImageToImageTrain>(make_unet(), dtype, nn::Dims{8, 3, 64, 64}, 8, Loss::l1);
}

}  // namespace cvpipe::bench
