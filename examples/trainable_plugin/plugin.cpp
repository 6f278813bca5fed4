// The sharpen plugin: an example of a stage TRAINED with cvpipe's nn engine by the plugin's own
// `train` command. Stage `sharpen` runs a model file written by `cvpipe train train.yaml`
// (train_command.hpp) on gray and colour frames of 8 or 16 bits.
#include <memory>

#include <cvpipe/plugin.hpp>

#include "sharpen_net.hpp"
#include "train_command.hpp"

namespace {

using cvpipe::ParamSpec;
using cvpipe::Status;

class SharpenStage : public cvpipe::TransformStage {
 public:
  static std::vector<ParamSpec> params() {
    return {
        ParamSpec::model("model", "", "model file written by this plugin's train command (required)"),
        ParamSpec::number("strength", 1.0, 0.0, 4.0, "how much of the learned correction to add (0: unchanged, 1: as trained)"),
        ParamSpec::integer("tile", 512, 64, 16384, "tile side in pixels; bounds memory on large frames"),
    };
  }

  // 8- and 16-bit gray, BGR or BGRA in; the same out. The host refuses anything else.
  static cvpipe::StageContract contract() {
    return {{{CV_8U, CV_16U}, {1, 3, 4}, {}}, {{CV_8U, CV_16U}, {1, 3, 4}, {}}};
  }

  // Loads the model once; the host has already found the file (ParamSpec::model).
  Status configure(const cvpipe::Params& p, const cvpipe::StageContext&) override {
    strength_ = p.get_number("strength");
    tile_ = static_cast<int>(p.get_int("tile"));
    const std::string model = p.get_string("model");
    if (model.empty()) {
      return Status::invalid("sharpen: parameter 'model' is required (train one: cvpipe train train.yaml)");
    }
    return sharpen::SharpenNet::load(model, net_);
  }

  Status process(cvpipe::Frame& frame) override {
    if (frame.image.empty()) return Status::invalid("sharpen: empty image in frame " + std::to_string(frame.seq));
    cv::Mat out;
    CVPIPE_RETURN_IF_ERROR(cvpipe::guard([&] { return net_->sharpen(frame.image, strength_, tile_, out); }, "sharpen"));
    frame.image = out;
    return {};
  }

 private:
  std::unique_ptr<sharpen::SharpenNet> net_;
  double strength_ = 1.0;
  int tile_ = 512;
};

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<SharpenStage>("sharpen", "undo mild blur with a small learned CNN (train it with `cvpipe train`)"),
};

const cvpipe::CommandEntry kCommands[] = {
    {"train", "train the sharpening CNN on blurred crops of the sample photographs", &sharpen::train_params,
     &sharpen::run_train},
};

}  // namespace

CVPIPE_PLUGIN("sharpen", "1.0.0", kStages, kCommands)
