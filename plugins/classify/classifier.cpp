// Classifier: load + validate a classify model file, run batches (see classifier.hpp).
#include "cvpipe/classify/classifier.hpp"

#include <algorithm>
#include <cmath>

#include "architectures.hpp"
#include "cvpipe/classify/preprocess.hpp"
#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::classify {

namespace {

std::string shape_str(const std::vector<std::int64_t>& s) { return nn::st_shape_string(s); }

// Compares the network's tensors with the file's before loading, to explain the two mismatches a
// user can cause by editing metadata: the class count and the input geometry.
// `prefix`: the member's tensor-name prefix in an ensemble file.
Status check_shapes(const nn::SafeTensors& st, Network& net, const std::string& prefix, const ModelSpec& spec,
                    const std::string& label) {
  const auto params = net.root->named_parameters();
  const std::string last = "head." + std::to_string(net.head->size() - 1) + ".";
  for (const auto& unprefixed : params) {
    nn::NamedParameter np = unprefixed;
    np.name = prefix + np.name;
    const nn::StTensor* t = st.find(np.name);
    if (!t) continue;  // import_module lists missing tensors
    const nn::Dims want = np.param->value.dims();
    const std::vector<std::int64_t> want_v(want.begin(), want.end());
    if (t->shape == want_v) continue;
    const bool head_out = unprefixed.name.rfind(last, 0) == 0;
    if (head_out && !t->shape.empty() && t->shape[0] != want_v[0]) {
      return Status::invalid(label + ": the metadata lists " + std::to_string(spec.num_classes()) +
                             " class names but the classifier layer '" + np.name + "' has " +
                             std::to_string(t->shape[0]) + " outputs (shape " + shape_str(t->shape) + ")");
    }
    return Status::invalid(label + ": tensor '" + np.name + "' has shape " + shape_str(t->shape) + ", but a '" + spec.arch +
                           "' network for " + std::to_string(spec.input_channels) + "x" + std::to_string(spec.input_height) +
                           "x" + std::to_string(spec.input_width) + " input (width " + std::to_string(spec.width) +
                           ") needs " + shape_str(want_v) + ": the metadata's input size, channels or width do not match the weights");
  }
  return {};
}

void softmax_rows(const float* logits, int n, int k, float* out) {
  for (int i = 0; i < n; ++i) {
    const float* l = logits + static_cast<std::ptrdiff_t>(i) * k;
    float* o = out + static_cast<std::ptrdiff_t>(i) * k;
    const float m = *std::max_element(l, l + k);
    double sum = 0;
    for (int j = 0; j < k; ++j) sum += (o[j] = std::exp(l[j] - m));
    for (int j = 0; j < k; ++j) o[j] = static_cast<float>(o[j] / sum);
  }
}

}  // namespace

struct Classifier::Impl {
  std::filesystem::path file;
  ModelSpec spec;
  Ensemble net;
  int max_batch = 64;
  std::vector<float> input;
};

namespace {
// Ensembles: the mean of the members' softmax outputs (N x K); features (N x feature_dim, from
// member 0) are written to `features` when it is not null. Throws nn::Error.
cv::Mat mean_probabilities(Classifier::Impl& impl, const nn::Tensor& x, float* features) {
  const int n = static_cast<int>(x.dim(0)), k = impl.spec.num_classes();
  cv::Mat sum = cv::Mat::zeros(n, k, CV_32F), member_probs(n, k, CV_32F);
  for (std::size_t m = 0; m < impl.net.members.size(); ++m) {
    Network& net = impl.net.members[m];
    const nn::Tensor y = net.features->forward(x);
    if (features && m == 0) {
      const std::vector<float> fv = y.to_vector();
      std::copy(fv.begin(), fv.end(), features);
    }
    const std::vector<float> logits = net.head->forward(y).to_vector();
    softmax_rows(logits.data(), n, k, member_probs.ptr<float>(0));
    sum += member_probs;
  }
  return sum / static_cast<double>(impl.net.members.size());
}
}  // namespace

Classifier::Classifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Classifier::~Classifier() = default;

Status Classifier::load(const std::filesystem::path& file, std::unique_ptr<Classifier>& out) {
  const std::string label = file.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return Status::not_found("model file '" + label + "' does not exist");
  nn::SafeTensors st;
  CVPIPE_RETURN_IF_ERROR(nn::SafeTensors::load(file, st));
  auto impl = std::make_unique<Impl>();
  impl->file = file;
  CVPIPE_RETURN_IF_ERROR(ModelSpec::from_metadata(st.metadata, label, impl->spec));
  CVPIPE_RETURN_IF_ERROR(build_ensemble(impl->spec, 0, label, impl->net));
  const int n = impl->spec.members;
  for (int i = 0; i < n; ++i) {
    CVPIPE_RETURN_IF_ERROR(check_shapes(st, impl->net.members[static_cast<std::size_t>(i)], member_prefix(i, n), impl->spec, label));
  }
  CVPIPE_RETURN_IF_ERROR(nn::import_module(st, *impl->net.root, label));
  impl->net.root->eval();
  out.reset(new Classifier(std::move(impl)));
  return {};
}

const ModelSpec& Classifier::spec() const { return impl_->spec; }
const std::filesystem::path& Classifier::file() const { return impl_->file; }
int Classifier::num_classes() const { return impl_->spec.num_classes(); }
int Classifier::feature_dim() const { return impl_->net.members.front().feature_dim; }
void Classifier::set_max_batch(int n) { impl_->max_batch = std::max(1, n); }
int Classifier::max_batch() const { return impl_->max_batch; }

Status Classifier::predict(std::span<const cv::Mat> images, cv::Mat& probs, cv::Mat* features, InputMode mode) {
  const ModelSpec& s = impl_->spec;
  const int n_all = static_cast<int>(images.size());
  const int k = s.num_classes(), f = feature_dim();
  const std::size_t per = static_cast<std::size_t>(s.input_channels) * s.input_height * s.input_width;
  cv::Mat p(n_all, k, CV_32F), feat;
  if (features) feat.create(n_all, f, CV_32F);
  try {
    for (int start = 0; start < n_all; start += impl_->max_batch) {
      const int n = std::min(impl_->max_batch, n_all - start);
      impl_->input.resize(per * static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        Status st = prepare_input(images[static_cast<std::size_t>(start + i)], s, mode, impl_->input.data() + per * i);
        if (!st.ok()) return Status(st.code(), "image " + std::to_string(start + i) + ": " + st.message());
      }
      const nn::Tensor x = nn::Tensor::from_vector({n, s.input_channels, s.input_height, s.input_width},
                                                   std::span<const float>(impl_->input.data(), per * n));
      const cv::Mat sum = mean_probabilities(*impl_, x, features ? feat.ptr<float>(start) : nullptr);
      sum.copyTo(p.rowRange(start, start + n));
    }
  } catch (const std::exception& e) {
    return Status::runtime(impl_->file.string() + ": inference failed: " + e.what());
  }
  for (int i = 0; i < p.rows; ++i)
    if (!cv::checkRange(p.row(i)))
      return Status::runtime(impl_->file.string() + ": the output for image " + std::to_string(i) +
                             " is not finite (NaN or infinity): the input or the weights overflow");
  probs = p;
  if (features) *features = feat;
  return {};
}

int Classifier::members() const { return static_cast<int>(impl_->net.members.size()); }
nn::Layer& Classifier::member_network(int i) { return *impl_->net.members.at(static_cast<std::size_t>(i)).root; }
nn::Tensor Classifier::probabilities(const nn::Tensor& x) {
  const cv::Mat p = mean_probabilities(*impl_, x, nullptr);
  return nn::Tensor::from_vector({p.rows, p.cols}, std::span<const float>(p.ptr<float>(0), p.total()));
}

Status Classifier::predict(const cv::Mat& image, std::vector<float>& probs, InputMode mode) {
  cv::Mat p;
  CVPIPE_RETURN_IF_ERROR(predict(std::span<const cv::Mat>(&image, 1), p, nullptr, mode));
  probs.assign(p.ptr<float>(0), p.ptr<float>(0) + p.cols);
  return {};
}

}  // namespace cvpipe::classify
