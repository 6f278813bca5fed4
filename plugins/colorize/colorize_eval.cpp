// colorize.eval: a colorize model on colour photos made gray; see commands.hpp and scoring.hpp.
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <nlohmann/json.hpp>

#include "colorize_net.hpp"
#include "commands.hpp"
#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/photos.hpp"
#include "lab.hpp"
#include "scoring.hpp"
#include "side_by_side.hpp"

namespace cvpipe::colorize {

namespace fs = std::filesystem;

std::vector<ParamSpec> colorize_eval_params() {
  return {
      ParamSpec::model("model", "models/colorize.safetensors", "colorize model file"),
      ParamSpec::path("images", "", false, "folder (or one file) of colour photos (empty: the held-out photos of the sample folder)"),
      ParamSpec::number("temperature", 0.0, 0.0, 10.0, "annealed-mean temperature (0: the model's)"),
      ParamSpec::number("saturation", 1.0, 0.0, 10.0, "scale of the model's chroma (1: as tuned at training)"),
      ParamSpec::number("confidence", -1.0, -1.0, 8.0, "confidence-weighting exponent (-1: the model's, 0: off)"),
      ParamSpec::integer("flip_average", -1, -1, 1, "average with the mirror image's prediction (-1: the model's, 0: off, 1: on)"),
      ParamSpec::path("save", "", false, "folder for side-by-side PNGs: gray | colorized | original"),
      ParamSpec::path("tune", "", false, "instead of scoring: choose a decoding on the images as training does, write every candidate's scores to this JSON file"),
      ParamSpec::number("psnr_margin", 0.2, -10.0, 10.0, "with tune: required PSNR gain over the gray pictures (dB)"),
      ParamSpec::number("target_colorfulness", 0.7, 0.0, 2.0, "with tune: colourfulness ratio that is enough"),
  };
}

namespace {

// Colour photos to evaluate on: a folder, one file, or the held-out photos.
Status load_eval_photos(const std::string& images, std::vector<std::string>& names, std::vector<cv::Mat>& photos) {
  if (images.empty()) {
    names = photo_lists().held_out;
    return load_photos(data_dir(), names, 3, photos);
  }
  const fs::path dir = images;
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(dir, ec)) files = list_images(dir);
  else if (fs::is_regular_file(dir, ec)) files = {dir};
  else return Status::not_found("images: '" + dir.string() + "' does not exist");
  for (const auto& f : files) {
    cv::Mat img;
    if (Status s = read_image(f, cv::IMREAD_COLOR, img); !s.ok()) return Status::io("images: " + s.message());
    names.push_back(f.filename().string());
    photos.push_back(std::move(img));
  }
  if (photos.empty()) return Status::not_found("images: no image files in '" + images + "'");
  return {};
}

Status eval_impl(const Params& p, const CommandContext&, std::string& output) {
  std::unique_ptr<ColorizeNet> net;
  CVPIPE_RETURN_IF_ERROR(ColorizeNet::load(p.get_string("model"), net));
  std::vector<std::string> names;
  std::vector<cv::Mat> photos;
  CVPIPE_RETURN_IF_ERROR(load_eval_photos(p.get_string("images"), names, photos));
  if (const fs::path tune_file = p.get_string("tune"); !tune_file.empty()) {
    std::vector<Prepared> prepared;
    for (const auto& photo : photos) prepared.push_back(prepare(*net, photo, true));
    TuneOptions o;
    o.psnr_margin = p.get_number("psnr_margin");
    o.target_colorfulness = p.get_number("target_colorfulness");
    nlohmann::json table;
    const Decoding c = tune_decoding(*net, prepared, o, table);
    const Scores s = score(*net, prepared, c);
    std::ofstream f(tune_file);
    f << table.dump(1) << "\n";
    if (!f) return Status::io("tune: cannot write '" + tune_file.string() + "'");
    output = nlohmann::json{{"psnr", s.psnr}, {"psnr_gray", s.psnr_gray}, {"colorfulness", s.colorfulness},
                            {"colorfulness_truth", s.colorfulness_truth}, {"n", s.n}, {"temperature", c.temperature},
                            {"saturation", c.saturation}, {"prior_correction", c.prior_correction},
                            {"cast_removal", c.cast_removal}, {"confidence", c.confidence}, {"flip_average", c.flip_average}}
                 .dump();
    return {};
  }
  Decoding d = net->decoding();
  if (p.get_number("temperature") > 0) d.temperature = static_cast<float>(p.get_number("temperature"));
  if (p.get_number("confidence") >= 0) d.confidence = static_cast<float>(p.get_number("confidence"));
  if (p.get_int("flip_average") >= 0) d.flip_average = p.get_int("flip_average") == 1;
  net->set_decoding(d);
  const float saturation = static_cast<float>(p.get_number("saturation"));
  const fs::path save = p.get_string("save");
  if (!save.empty()) {
    std::error_code ec;
    fs::create_directories(save, ec);
    if (ec) return Status::io("save: cannot create '" + save.string() + "': " + ec.message());
  }
  Scores s;
  nlohmann::json per_image = nlohmann::json::array();
  for (std::size_t i = 0; i < photos.size(); ++i) {
    const cv::Mat& truth = photos[i];
    const cv::Mat gray = grayscale_picture(truth);
    cv::Mat out, gray_bgr;
    CVPIPE_RETURN_IF_ERROR(net->colorize(gray, saturation, out));  // exactly what the stage does
    cv::cvtColor(gray, gray_bgr, cv::COLOR_GRAY2BGR);
    const double ps = psnr(out, truth), pg = psnr(gray_bgr, truth), cf = colorfulness(out), ct = colorfulness(truth);
    s.psnr += ps;
    s.psnr_gray += pg;
    s.colorfulness += cf;
    s.colorfulness_truth += ct;
    ++s.n;
    per_image.push_back({{"image", names[i]}, {"psnr", ps}, {"psnr_gray", pg}, {"colorfulness", cf}, {"colorfulness_truth", ct}});
    if (!save.empty()) {
      const fs::path file = save / (fs::path(names[i]).stem().string() + ".png");
      const cv::Mat strip = side_by_side({{"gray", gray_bgr}, {"colorized", out}, {"original", truth}});
      if (!cv::imwrite(file.string(), strip)) return Status::io("save: cannot write '" + file.string() + "'");
    }
  }
  const double n = s.n;
  nlohmann::json j;
  j["psnr"] = s.psnr / n;
  j["psnr_gray"] = s.psnr_gray / n;
  j["colorfulness"] = s.colorfulness / n;
  j["colorfulness_truth"] = s.colorfulness_truth / n;
  j["n"] = s.n;
  j["temperature"] = d.temperature;
  j["saturation"] = d.saturation * saturation;
  j["confidence"] = d.confidence;
  j["flip_average"] = d.flip_average;
  j["per_image"] = per_image;
  output = j.dump();
  return {};
}

}  // namespace

Status run_colorize_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::colorize
