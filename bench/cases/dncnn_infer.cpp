// dncnn-infer: DnCNN in eval mode on one 1x512x512 image (conv+BN+ReLU fused by the container).
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"

namespace cvpipe::bench {
namespace {

class DncnnInfer final : public BenchCase {
 public:
  explicit DncnnInfer(nn::DType dtype) : net_(make_dncnn()), x_(random_tensor({1, 1, 512, 512}, 7, nn::DType::f32, true)) {
    nn::Rng rng(42);
    nn::init_network(*net_, nn::InitScheme::torch_default, rng);
    net_->set_dtype(dtype);
    net_->eval();
  }
  double step() override {
    nn::Tensor out = net_->forward(x_);
    return out.defined() ? static_cast<double>(out.numel()) : 0.0;
  }

 private:
  std::shared_ptr<nn::Sequential> net_;
  nn::Tensor x_;
};

}  // namespace

std::unique_ptr<BenchCase> make_dncnn_infer(nn::DType dtype) { return std::make_unique<DncnnInfer>(dtype); }

}  // namespace cvpipe::bench
