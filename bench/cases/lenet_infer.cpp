// lenet-infer: LeNet-5, batch 1 of 3x32x32, eval mode, one forward per iteration.
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"

namespace cvpipe::bench {
namespace {

class LenetInfer final : public BenchCase {
 public:
  explicit LenetInfer(nn::DType dtype) : net_(make_lenet()), x_(random_tensor({1, 3, 32, 32}, 1)) {
    nn::Rng rng(42);
    nn::init_network(*net_, nn::InitScheme::torch_default, rng);
    net_->set_dtype(dtype);
    net_->eval();
  }
  double step() override {
    nn::Tensor out = net_->forward(x_);
    return out.to_vector().at(0);
  }

 private:
  std::shared_ptr<nn::Sequential> net_;
  nn::Tensor x_;
};

}  // namespace

std::unique_ptr<BenchCase> make_lenet_infer(nn::DType dtype) { return std::make_unique<LenetInfer>(dtype); }

}  // namespace cvpipe::bench
