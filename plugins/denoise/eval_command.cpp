// Evaluating the denoiser against NL-means; see eval_command.hpp.
#include "eval_command.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <tuple>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/nn/context.hpp"
#include "cvpipe/nn/distributed.hpp"
#include "cvpipe/nn/random.hpp"
#include "denoiser.hpp"
#include "metrics.hpp"
#include "cvpipe/photos.hpp"
#include "synthetic_noise.hpp"

namespace cvpipe::denoise {

namespace fs = std::filesystem;

std::vector<ParamSpec> eval_params() {
  return {
      ParamSpec::model("model", "", "model file (empty: model_gray, or model_color with --channels 3)"),
      ParamSpec::model("model_gray", kGrayModel, "the gray model evaluated when `model` is empty"),
      ParamSpec::model("model_color", kColorModel, "the colour model evaluated when `model` is empty and channels is 3"),
      ParamSpec::integer("channels", 0, 0, 3, "1 gray, 3 colour; 0: the model's channel count (gray without --model)"),
      ParamSpec::path("images", "", false, "folder of clean images (empty: the held-out photos of the sample folder)"),
      ParamSpec::number("sigma", 25.0, 0.0, 75.0, "noise standard deviation in 8-bit levels"),
      ParamSpec::integer("seed", 0, 0, 9.2e18, "seed of the noise"),
      ParamSpec::integer("crop", 0, 0, 100000, "evaluate the centre crop of this side (0: whole images)"),
      ParamSpec::path("save", "", false, "folder for side-by-side PNGs: noisy | nlmeans | cnn | clean"),
      ParamSpec::boolean("nlmeans", true, "also run the NL-means baseline"),
      ParamSpec::integer("tile", CnnOptions{}.tile, 64, 16384, "CNN tile side in pixels"),
      ParamSpec::choice("dtype", "auto", {"auto", "f32", "bf16"}, "CNN precision (auto: bf16 on CPUs with native bf16)"),
  };
}

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// A labelled side-by-side strip of equally sized images.
cv::Mat side_by_side(const std::vector<std::pair<std::string, cv::Mat>>& panels) {
  const int gap = 4, header = 22;
  const cv::Size s = panels.front().second.size();
  cv::Mat sheet(s.height + header, static_cast<int>(panels.size()) * (s.width + gap) - gap, CV_8UC3, cv::Scalar(255, 255, 255));
  for (std::size_t i = 0; i < panels.size(); ++i) {
    cv::Mat bgr;
    const cv::Mat& m = panels[i].second;
    if (m.channels() == 1) cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
    else bgr = m;
    const int x = static_cast<int>(i) * (s.width + gap);
    bgr.copyTo(sheet(cv::Rect(x, header, s.width, s.height)));
    cv::putText(sheet, panels[i].first, {x + 4, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  return sheet;
}

Status eval_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  // Both methods get the same thread budget: oneDNN (OpenMP) and OpenCV (NL-means).
  const int cv_threads = cv::getNumThreads();
  if (ctx.threads > 0) cv::setNumThreads(ctx.threads);
  struct RestoreThreads {
    int n;
    ~RestoreThreads() { cv::setNumThreads(n); }
  } restore{cv_threads};
  const std::string model = p.get_string("model");
  int channels = static_cast<int>(p.get_int("channels"));
  if (channels == 2) return Status::invalid("parameter 'channels' must be 0, 1 or 3");
  CnnOptions co;
  co.tile = static_cast<int>(p.get_int("tile"));
  std::unique_ptr<CnnDenoiser> cnn;
  const std::string path = !model.empty() ? model : p.get_string(channels == 3 ? "model_color" : "model_gray");
  CVPIPE_RETURN_IF_ERROR(load_cnn_denoiser(path, p.get_string("dtype"), co, cnn));
  if (channels == 0) channels = cnn->net().config().channels;

  // The clean images.
  std::vector<std::string> names;
  std::vector<cv::Mat> images;
  const int flag = channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR;
  if (p.get_string("images").empty()) {
    names = photo_lists().held_out;
    CVPIPE_RETURN_IF_ERROR(load_photos(data_dir(), names, channels, images));
  } else {
    const fs::path dir = p.get_string("images");
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(dir, ec)) files = list_images(dir);
    else if (fs::is_regular_file(dir, ec)) files = {dir};
    else return Status::not_found("images: '" + dir.string() + "' does not exist");
    for (const auto& f : files) {
      cv::Mat img;
      if (Status s = read_image(f, flag, img); !s.ok()) return Status::io("images: " + s.message());
      names.push_back(f.filename().string());
      images.push_back(std::move(img));
    }
  }
  if (images.empty()) return Status::not_found("images: no image files in '" + p.get_string("images") + "'");
  if (const int crop = static_cast<int>(p.get_int("crop")); crop > 0) {
    for (auto& img : images) {
      const int w = std::min(crop, img.cols), h = std::min(crop, img.rows);
      img = img(cv::Rect((img.cols - w) / 2, (img.rows - h) / 2, w, h)).clone();
    }
  }

  const double sigma = p.get_number("sigma");
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const bool with_nlm = p.get_bool("nlmeans");
  const fs::path save = p.get_string("save");
  if (!save.empty()) {
    std::error_code ec;
    fs::create_directories(save, ec);
    if (ec) return Status::io("save: cannot create '" + save.string() + "': " + ec.message());
  }

  // Untimed warm-up (first-use JIT, thread pools).
  {
    cv::Mat out;
    CVPIPE_RETURN_IF_ERROR(cnn->denoise(images.front(), sigma, out));
    if (with_nlm) CVPIPE_RETURN_IF_ERROR(cvpipe::nlmeans(images.front(), nlmeans_options(sigma), out));
  }

  // Sharded over the ranks of an MPI job (each image's noise depends only on its index): sums and
  // rows are combined below, so every rank reports the numbers of one process.
  double sum_psnr = 0, sum_ssim = 0, sum_psnr_nlm = 0, sum_ssim_nlm = 0, sum_psnr_noisy = 0;
  double ms_cnn = 0, ms_nlm = 0, mpix = 0;
  std::vector<std::pair<std::size_t, std::string>> rows;
  for (const std::size_t i : nn::dist::owned_items(images.size())) {
    const cv::Mat& clean = images[i];
    nn::Rng rng(nn::derive_seed(seed, i));
    const cv::Mat noisy = add_gaussian_noise(clean, sigma, rng);
    mpix += static_cast<double>(clean.total()) / 1e6;

    cv::Mat out_cnn, out_nlm;
    auto t0 = Clock::now();
    CVPIPE_RETURN_IF_ERROR(cnn->denoise(noisy, sigma, out_cnn));
    ms_cnn += ms_since(t0);
    const double ps = psnr(out_cnn, clean), ss = ssim(out_cnn, clean), pn = psnr(noisy, clean);
    sum_psnr += ps;
    sum_ssim += ss;
    sum_psnr_noisy += pn;
    nlohmann::json row{{"image", names[i]}, {"psnr", ps}, {"ssim", ss}, {"psnr_noisy", pn}};
    if (with_nlm) {
      t0 = Clock::now();
      CVPIPE_RETURN_IF_ERROR(cvpipe::nlmeans(noisy, nlmeans_options(sigma), out_nlm));
      ms_nlm += ms_since(t0);
      const double pl = psnr(out_nlm, clean), sl = ssim(out_nlm, clean);
      sum_psnr_nlm += pl;
      sum_ssim_nlm += sl;
      row["psnr_nlmeans"] = pl;
      row["ssim_nlmeans"] = sl;
    }
    rows.emplace_back(i, row.dump());
    if (!save.empty()) {
      std::vector<std::pair<std::string, cv::Mat>> panels{{"noisy " + std::to_string(static_cast<int>(std::lround(sigma))), noisy}};
      if (with_nlm) panels.push_back({"nlmeans", out_nlm});
      panels.push_back({"cnn", out_cnn});
      panels.push_back({"clean", clean});
      const fs::path file = save / (fs::path(names[i]).stem().string() + "_s" + std::to_string(static_cast<int>(std::lround(sigma))) + ".png");
      if (!cv::imwrite(file.string(), side_by_side(panels))) return Status::io("save: cannot write '" + file.string() + "'");
    }
  }
  std::vector<double> sums{sum_psnr, sum_ssim, sum_psnr_nlm, sum_ssim_nlm, sum_psnr_noisy, ms_cnn, ms_nlm, mpix};
  nn::dist::sum(sums);
  std::tie(sum_psnr, sum_ssim, sum_psnr_nlm, sum_ssim_nlm, sum_psnr_noisy) = std::tuple(sums[0], sums[1], sums[2], sums[3], sums[4]);
  std::tie(ms_cnn, ms_nlm, mpix) = std::tuple(sums[5], sums[6], sums[7]);
  nlohmann::json per_image = nlohmann::json::array();
  for (const std::string& row : nn::dist::gather_rows(rows)) per_image.push_back(nlohmann::json::parse(row));
  const double n = static_cast<double>(images.size());
  nlohmann::json j;
  j["psnr"] = sum_psnr / n;
  j["ssim"] = sum_ssim / n;
  j["psnr_nlmeans"] = with_nlm ? nlohmann::json(sum_psnr_nlm / n) : nlohmann::json(nullptr);
  j["ssim_nlmeans"] = with_nlm ? nlohmann::json(sum_ssim_nlm / n) : nlohmann::json(nullptr);
  j["psnr_noisy"] = sum_psnr_noisy / n;
  j["ms_per_mpix"] = ms_cnn / mpix;
  j["ms_per_mpix_nlmeans"] = with_nlm ? nlohmann::json(ms_nlm / mpix) : nlohmann::json(nullptr);
  j["n"] = images.size();
  j["sigma"] = sigma;
  j["channels"] = channels;
  j["dtype"] = nn::dtype_name(cnn->net().dtype());
  j["per_image"] = per_image;
  output = j.dump();
  return {};
}

}  // namespace

Status run_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::denoise
