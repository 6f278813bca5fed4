// Backend `cnn`: see backends.hpp.
#include "backends.hpp"
#include "centernet.hpp"
#include "cvpipe/nn/context.hpp"

namespace cvpipe::detect {

namespace {

class CnnDetector final : public Detector {
 public:
  CnnDetector(const DetectorOptions& o, std::unique_ptr<CenterNet> net) : options_(o), net_(std::move(net)) {}

  const std::vector<std::string>& class_names() const override { return net_->config().class_names; }

  Status detect(const cv::Mat& bgr8, std::vector<Detection>& out) override {
    try {
      // Peaks scoring at least `score`; the shared filter then applies classes, NMS and the cap.
      for (auto& d : net_->detect(bgr8, options_.input_size, options_.score, std::max(100, options_.max_detections)))
        out.push_back(std::move(d));
    } catch (const nn::Error& e) {
      return Status::runtime(std::string("cnn: ") + e.what());
    }
    return {};
  }

 private:
  DetectorOptions options_;
  std::unique_ptr<CenterNet> net_;
};

}  // namespace

Status create_cnn(const DetectorOptions& options, std::unique_ptr<Detector>& out) {
  if (options.model.empty()) return Status::invalid("parameter 'model': backend cnn needs a model file");
  std::unique_ptr<CenterNet> net;
  CVPIPE_RETURN_IF_ERROR(CenterNet::load(options.model, net));
  out = std::make_unique<CnnDetector>(options, std::move(net));
  return {};
}

}  // namespace cvpipe::detect
