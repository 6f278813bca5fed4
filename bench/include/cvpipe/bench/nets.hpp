// The benchmark architectures, shared by the cases, and synthetic data helpers.
// bench/torch_reference.py builds the same modules layer for layer.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "cvpipe/nn/containers.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/nn/tensor.hpp"

namespace cvpipe::bench {

// LeNet-5 for 3x32x32: conv 3->6 k5, ReLU, maxpool 2, conv 6->16 k5, ReLU, maxpool 2, flatten,
// fc 400->120, ReLU, fc 120->84, ReLU, fc 84->10.
std::shared_ptr<nn::Sequential> make_lenet();
// DCGAN generator z[N,100,1,1] -> [N,1,32,32] and discriminator [N,1,32,32] -> logits [N,1,1,1].
std::shared_ptr<nn::Sequential> make_dcgan_generator();
std::shared_ptr<nn::Sequential> make_dcgan_discriminator();
// DnCNN: conv3x3 1->32 + ReLU, 8 x (conv3x3 32->32 no bias + BN + ReLU), conv3x3 32->1.
std::shared_ptr<nn::Sequential> make_dncnn();
// 3-level U-Net: enc 3->32, 32->64 (maxpool between), bottleneck 64->128, decoder with
// ConvTranspose2d(k2, s2) up-sampling and channel concat skips, 1x1 conv 32->3. Each "double
// conv" is 2 x (conv3x3 + BN + ReLU).
std::shared_ptr<nn::Graph> make_unet();

// A plain f32/bf16 tensor of N(0,1) (or U[0,1) when `uniform`) values from `seed`.
nn::Tensor random_tensor(const nn::Dims& dims, std::uint64_t seed, nn::DType dtype = nn::DType::f32,
                         bool uniform = false);
std::vector<int> random_labels(std::int64_t n, int classes, std::uint64_t seed);

}  // namespace cvpipe::bench
