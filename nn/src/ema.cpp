// WeightEma: see ema.hpp.
#include "cvpipe/nn/ema.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace cvpipe::nn {

WeightEma::WeightEma(Layer& net, double decay) : net_(net), decay_(decay) {
  if (!(decay >= 0.0 && decay < 1.0)) throw std::invalid_argument(fmt::format("WeightEma: decay {} is outside [0, 1)", decay));
  for (Parameter* p : net_.parameters()) average_.push_back(p->value.to_vector());
}

void WeightEma::update(std::int64_t step) {
  if (applied_) restore();
  const double t = static_cast<double>(std::max<std::int64_t>(0, step));
  const float d = static_cast<float>(std::min(decay_, (1.0 + t) / (10.0 + t)));
  const auto params = net_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const float* v = params[i]->value.data<float>();
    float* e = average_[i].data();
    const std::size_t n = average_[i].size();
    for (std::size_t j = 0; j < n; ++j) e[j] = d * e[j] + (1.f - d) * v[j];
  }
}

void WeightEma::apply() {
  if (applied_) return;
  const auto params = net_.parameters();
  backup_.clear();
  for (std::size_t i = 0; i < params.size(); ++i) {
    backup_.push_back(params[i]->value.to_vector());
    params[i]->value.from_vector(average_[i]);
    params[i]->mark_updated();
  }
  applied_ = true;
}

void WeightEma::restore() {
  if (!applied_) return;
  const auto params = net_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    params[i]->value.from_vector(backup_[i]);
    params[i]->mark_updated();
  }
  backup_.clear();
  applied_ = false;
}

std::vector<float> WeightEma::training_weights(std::size_t i) const {
  return applied_ ? backup_.at(i) : net_.parameters().at(i)->value.to_vector();
}

void WeightEma::export_state(SafeTensors& out, const std::string& prefix) const {
  const auto params = net_.parameters();
  for (std::size_t i = 0; i < average_.size(); ++i)
    out.set_f32(prefix + std::to_string(i), params[i]->value.dims(), average_[i]);
}

Status WeightEma::check_state(const SafeTensors& in, const std::string& prefix, const std::string& label) const {
  const auto params = net_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    const StTensor* t = in.find(prefix + std::to_string(i));
    if (!t || t->numel() != params[i]->numel())
      return Status::invalid(fmt::format("{}: moving-average tensor '{}{}' is missing or has the wrong size", label, prefix, i));
  }
  return Status::success();
}

Status WeightEma::import_state(const SafeTensors& in, const std::string& prefix, const std::string& label) {
  CVPIPE_RETURN_IF_ERROR(check_state(in, prefix, label));
  const auto params = net_.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) average_[i] = in.find(prefix + std::to_string(i))->to_f32();
  // The network holds freshly loaded training weights: nothing to swap back.
  backup_.clear();
  applied_ = false;
  return Status::success();
}

}  // namespace cvpipe::nn
