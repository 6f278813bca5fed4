// dcgan-train: DCGAN generator/discriminator for 1x32x32, batch 64, Adam 2e-4 (0.5, 0.999),
// BCE-with-logits. One iteration = one D step (real batch labelled 1, generated batch labelled 0,
// as in the PyTorch DCGAN example) + one G step (generated batch through D labelled 1).
#include "cvpipe/bench/bench_case.hpp"
#include "cvpipe/bench/nets.hpp"
#include "cvpipe/nn/init.hpp"
#include "cvpipe/nn/loss.hpp"
#include "cvpipe/nn/optim.hpp"

namespace cvpipe::bench {
namespace {

class DcganTrain final : public BenchCase {
 public:
  explicit DcganTrain(nn::DType dtype)
      : g_(make_dcgan_generator()),
        d_(make_dcgan_discriminator()),
        z_(random_tensor({64, 100, 1, 1}, 3)),
        real_(random_tensor({64, 1, 32, 32}, 4, nn::DType::f32, true)) {
    nn::Rng rng(42);
    nn::init_network(*g_, nn::InitScheme::gan, rng);
    nn::init_network(*d_, nn::InitScheme::gan, rng);
    g_->set_dtype(dtype);
    d_->set_dtype(dtype);
    g_->set_needs_input_grad(false);
    nn::AdamOptions o;
    o.lr = 2e-4;
    o.beta1 = 0.5;
    o.beta2 = 0.999;
    opt_g_ = std::make_unique<nn::Adam>(g_->parameters(), o);
    opt_d_ = std::make_unique<nn::Adam>(d_->parameters(), o);
  }
  double step() override {
    // D step: the generated batch is detached (as torch's fake.detach()), so D needs no input
    // gradient here; only the G step does (it flows into G).
    opt_d_->zero_grad();
    d_->set_needs_input_grad(false);
    nn::Tensor fake = g_->forward(z_);
    nn::Tensor out = d_->forward(real_);
    l_real_ = nn::bce_with_logits(out, 1.0f, l_real_.grad);
    d_->backward(l_real_.grad);
    out = d_->forward(fake);
    l_fake_ = nn::bce_with_logits(out, 0.0f, l_fake_.grad);
    d_->backward(l_fake_.grad);
    opt_d_->step();
    // G step (G's forward state from above is still current).
    opt_g_->zero_grad();
    d_->set_needs_input_grad(true);
    out = d_->forward(fake);
    l_gen_ = nn::bce_with_logits(out, 1.0f, l_gen_.grad);
    nn::Tensor dfake = d_->backward(l_gen_.grad);
    g_->backward(dfake);
    opt_g_->step();
    return l_real_.loss + l_fake_.loss + l_gen_.loss;
  }

 private:
  std::shared_ptr<nn::Sequential> g_, d_;
  nn::Tensor z_, real_;
  std::unique_ptr<nn::Optimizer> opt_g_, opt_d_;
  nn::LossResult l_real_, l_fake_, l_gen_;
};

}  // namespace

std::unique_ptr<BenchCase> make_dcgan_train(nn::DType dtype) { return std::make_unique<DcganTrain>(dtype); }

}  // namespace cvpipe::bench
