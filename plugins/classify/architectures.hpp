// The classifier networks, built from a ModelSpec with the nn engine's layers.
//
//   lenet  the LeNet-5 pattern for any input size and channel count:
//          conv(C,6,k5) ReLU maxpool2 conv(6,16,k5) ReLU maxpool2 flatten
//          fc(16*h*w,120) ReLU fc(120,84) ReLU | fc(84,K)
//   cnn    width w (default 32), for any input of at least 8x8:
//          [conv3x3(C,w) BN ReLU, conv3x3(w,w) BN ReLU] maxpool2
//          [conv3x3(w,2w) BN ReLU, conv3x3(2w,2w) BN ReLU] maxpool2
//          conv3x3(2w,4w) BN ReLU, global average pool, flatten | dropout(p) fc(4w,K)
// The part before "|" is `features` (its output, [N, F], is the penultimate-layer feature vector);
// the part after is `head` (logits [N, K]). Both live in one root Sequential so tensor names are
// "features.<i>.weight" / "head.<i>.weight" (torch state_dict style). Convolutions followed by BN
// have no bias. Weights are Kaiming-initialised from `seed`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/classify/model_spec.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::classify {

struct Network {
  std::shared_ptr<nn::Sequential> root;      // children: "features", "head"
  std::shared_ptr<nn::Sequential> features;  // image [N, C, H, W] -> [N, feature_dim]
  std::shared_ptr<nn::Sequential> head;      // [N, feature_dim] -> logits [N, K]
  int feature_dim = 0;
};

// Builds the network of `spec` (validated first); errors name `label`. Ignores spec.members.
Status build_network(const ModelSpec& spec, std::uint64_t seed, const std::string& label, Network& out);

// The spec.members networks of a model file. `root` holds the file's tensors: the single network's
// root when members == 1 ("features.<i>...", as before ensembles existed), else a Sequential whose
// child "members" holds network i as child "<i>" ("members.<i>.features.<j>.weight").
// Member i is initialised from seed + i.
struct Ensemble {
  std::shared_ptr<nn::Sequential> root;
  std::vector<Network> members;
};
Status build_ensemble(const ModelSpec& spec, std::uint64_t seed, const std::string& label, Ensemble& out);
// Wraps already built (e.g. trained) networks the same way.
Ensemble make_ensemble(std::vector<Network> members);
// The tensor-name prefix of member i in an ensemble of n ("" when n == 1).
std::string member_prefix(int i, int n);

}  // namespace cvpipe::classify
