// translate.eval: a translation model on A/B pairs; see commands.hpp.
#include <opencv2/imgcodecs.hpp>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/photos.hpp"
#include "lab.hpp"
#include "night_style.hpp"
#include "pairs.hpp"
#include "side_by_side.hpp"
#include "translate_net.hpp"

namespace cvpipe::colorize {

namespace fs = std::filesystem;

std::vector<ParamSpec> translate_eval_params() {
  return {
      ParamSpec::model("model", "models/translate_night.safetensors", "translate model file"),
      ParamSpec::path("pairs", "", false,
                      "folder with a/NAME and b/NAME (empty: the held-out photos and the model's synthetic task)"),
      ParamSpec::path("save", "", false, "folder for side-by-side PNGs: A | translated | B"),
  };
}

namespace {

Status eval_impl(const Params& p, const CommandContext&, std::string& output) {
  std::unique_ptr<TranslateNet> net;
  CVPIPE_RETURN_IF_ERROR(TranslateNet::load(p.get_string("model"), net));
  std::vector<ImagePair> pairs;
  if (!p.get_string("pairs").empty()) {
    CVPIPE_RETURN_IF_ERROR(load_pairs(p.get_string("pairs"), pairs));
  } else {
    if (net->task() != "night") {
      return Status::invalid("pairs: the model '" + p.get_string("model") + "' was trained on a folder of pairs; give --pairs");
    }
    std::vector<cv::Mat> photos;
    CVPIPE_RETURN_IF_ERROR(load_photos(data_dir(), photo_lists().held_out, 3, photos));
    for (std::size_t i = 0; i < photos.size(); ++i) pairs.push_back({photo_lists().held_out[i], photos[i], night_style(photos[i])});
  }
  const fs::path save = p.get_string("save");
  if (!save.empty()) {
    std::error_code ec;
    fs::create_directories(save, ec);
    if (ec) return Status::io("save: cannot create '" + save.string() + "': " + ec.message());
  }
  double sum = 0, sum_id = 0, sum_l1 = 0;
  nlohmann::json per_image = nlohmann::json::array();
  for (const auto& pr : pairs) {
    cv::Mat out;
    CVPIPE_RETURN_IF_ERROR(net->translate(pr.a, out));  // exactly what the stage does
    const double ps = psnr(out, pr.b), pi = psnr(pr.a, pr.b);
    const double l1 = cv::norm(out, pr.b, cv::NORM_L1) / (255.0 * static_cast<double>(out.total() * 3));
    sum += ps;
    sum_id += pi;
    sum_l1 += l1;
    per_image.push_back({{"image", pr.name}, {"psnr", ps}, {"psnr_identity", pi}, {"l1", l1}});
    if (!save.empty()) {
      const fs::path file = save / (fs::path(pr.name).stem().string() + ".png");
      if (!cv::imwrite(file.string(), side_by_side({{"A", pr.a}, {"translated", out}, {"B", pr.b}}))) {
        return Status::io("save: cannot write '" + file.string() + "'");
      }
    }
  }
  const double n = static_cast<double>(pairs.size());
  nlohmann::json j;
  j["psnr"] = sum / n;
  j["psnr_identity"] = sum_id / n;
  j["l1"] = sum_l1 / n;
  j["n"] = pairs.size();
  j["task"] = net->task();
  j["per_image"] = per_image;
  output = j.dump();
  return {};
}

}  // namespace

Status run_translate_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::colorize
