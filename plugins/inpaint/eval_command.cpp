// Evaluating the inpainting network against Telea and Navier-Stokes; see eval_command.hpp.
#include "eval_command.hpp"

#include <chrono>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/data.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/nn/random.hpp"
#include "cvpipe/photos.hpp"
#include "hole_psnr.hpp"
#include "inpainter.hpp"
#include "masks.hpp"

namespace cvpipe::inpaint {

namespace fs = std::filesystem;

std::vector<ParamSpec> eval_params() {
  return {
      ParamSpec::model("model", kDefaultModel, "model file (default: the shipped models/inpaint.safetensors)"),
      ParamSpec::path("images", "", false, "folder (or one file) of original images (empty: the held-out photos of the sample folder)"),
      ParamSpec::integer("seed", 0, 0, 9.2e18, "seed of the masks"),
      ParamSpec::number("coverage_min", 0.05, 0.0, 0.9, "smallest hole fraction of an image"),
      ParamSpec::number("coverage_max", 0.20, 0.0, 0.9, "largest hole fraction of an image"),
      ParamSpec::integer("crop", 0, 0, 100000, "evaluate the centre crop of this side (0: whole images)"),
      ParamSpec::path("masks", "", false, "folder to write the drawn masks to, as <image stem>.png"),
      ParamSpec::path("save", "", false, "folder for side-by-side PNGs: masked | telea | cnn | original"),
      ParamSpec::boolean("classic", true, "also run the Telea and Navier-Stokes baselines"),
      ParamSpec::integer("tile", TileOptions{}.tile, 128, 16384, "network tile side in pixels"),
      ParamSpec::integer("flips", TileOptions{}.flips, 1, 4, "self-ensemble passes of the network (as the stage's 'flips')"),
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
    const int x = static_cast<int>(i) * (s.width + gap);
    panels[i].second.copyTo(sheet(cv::Rect(x, header, s.width, s.height)));
    cv::putText(sheet, panels[i].first, {x + 4, 16}, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  }
  return sheet;
}

Status make_folder(const std::string& what, const fs::path& dir) {
  if (dir.empty()) return {};
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::io(what + ": cannot create '" + dir.string() + "': " + ec.message());
  return {};
}

Status eval_impl(const Params& p, const CommandContext& ctx, std::string& output) {
  // Both methods get the same thread budget: oneDNN (OpenMP) and OpenCV.
  const int cv_threads = cv::getNumThreads();
  if (ctx.threads > 0) cv::setNumThreads(ctx.threads);
  struct RestoreThreads {
    int n;
    ~RestoreThreads() { cv::setNumThreads(n); }
  } restore{cv_threads};

  TileOptions t;
  t.tile = static_cast<int>(p.get_int("tile"));
  t.margin = std::min(t.margin, t.tile / 4);
  t.flips = static_cast<int>(p.get_int("flips"));
  std::unique_ptr<Inpainter> cnn;
  CVPIPE_RETURN_IF_ERROR(load_inpainter(p.get_string("model"), t, cnn));
  const MaskOptions mo{p.get_number("coverage_min"), p.get_number("coverage_max")};
  if (mo.max_coverage < mo.min_coverage) return Status::invalid("parameter 'coverage_max' must be >= 'coverage_min'");

  std::vector<std::string> names;
  std::vector<cv::Mat> images;
  if (p.get_string("images").empty()) {
    names = photo_lists().held_out;
    CVPIPE_RETURN_IF_ERROR(load_photos(data_dir(), names, 3, images));
  } else {
    const fs::path dir = p.get_string("images");
    std::error_code ec;
    std::vector<fs::path> files;
    if (fs::is_directory(dir, ec)) files = list_images(dir);
    else if (fs::is_regular_file(dir, ec)) files = {dir};
    else return Status::not_found("images: '" + dir.string() + "' does not exist");
    for (const auto& f : files) {
      cv::Mat img;
      if (Status s = read_image(f, cv::IMREAD_COLOR, img); !s.ok()) return Status::io("images: " + s.message());
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
  const fs::path save = p.get_string("save"), masks_dir = p.get_string("masks");
  CVPIPE_RETURN_IF_ERROR(make_folder("save", save));
  CVPIPE_RETURN_IF_ERROR(make_folder("masks", masks_dir));
  const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
  const bool classic = p.get_bool("classic");

  std::vector<cv::Mat> masks;
  for (std::size_t i = 0; i < images.size(); ++i) {
    nn::Rng rng(nn::derive_seed(seed, i));
    masks.push_back(random_mask(images[i].size(), mo, rng));
    if (!masks_dir.empty()) {
      const fs::path file = masks_dir / (fs::path(names[i]).stem().string() + ".png");
      if (!cv::imwrite(file.string(), masks.back())) return Status::io("masks: cannot write '" + file.string() + "'");
    }
  }
  {  // untimed warm-up (first-use JIT, thread pools)
    cv::Mat out;
    CVPIPE_RETURN_IF_ERROR(cnn->inpaint(images.front(), masks.front(), out));
  }

  double sum = 0, sum_telea = 0, sum_ns = 0, sum_cov = 0, ms = 0, mpix = 0;
  nlohmann::json per_image = nlohmann::json::array();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const cv::Mat& original = images[i];
    const cv::Mat& mask = masks[i];
    cv::Mat out;
    const auto t0 = Clock::now();
    CVPIPE_RETURN_IF_ERROR(cnn->inpaint(original, mask, out));
    ms += ms_since(t0);
    mpix += static_cast<double>(original.total()) / 1e6;
    const double ps = hole_psnr(out, original, mask), cov = coverage(mask);
    sum += ps;
    sum_cov += cov;
    nlohmann::json row{{"image", names[i]}, {"hole_psnr", ps}, {"coverage", cov}};
    cv::Mat telea, ns;
    if (classic) {
      CVPIPE_RETURN_IF_ERROR(classic_inpaint(original, mask, InpaintMethod::telea, 3.0, telea));
      CVPIPE_RETURN_IF_ERROR(classic_inpaint(original, mask, InpaintMethod::ns, 3.0, ns));
      const double pt = hole_psnr(telea, original, mask), pn = hole_psnr(ns, original, mask);
      sum_telea += pt;
      sum_ns += pn;
      row["hole_psnr_telea"] = pt;
      row["hole_psnr_ns"] = pn;
    }
    per_image.push_back(row);
    if (!save.empty()) {
      cv::Mat masked = original.clone();
      masked.setTo(cv::Scalar(255, 0, 255), mask);
      std::vector<std::pair<std::string, cv::Mat>> panels{{"masked", masked}};
      if (classic) panels.push_back({"telea", telea});
      panels.push_back({"cnn", out});
      panels.push_back({"original", original});
      const fs::path file = save / (fs::path(names[i]).stem().string() + ".png");
      if (!cv::imwrite(file.string(), side_by_side(panels))) return Status::io("save: cannot write '" + file.string() + "'");
    }
  }
  const double n = static_cast<double>(images.size());
  nlohmann::json j;
  j["hole_psnr"] = sum / n;
  j["hole_psnr_telea"] = classic ? nlohmann::json(sum_telea / n) : nlohmann::json(nullptr);
  j["hole_psnr_ns"] = classic ? nlohmann::json(sum_ns / n) : nlohmann::json(nullptr);
  j["ms_per_mpix"] = ms / mpix;
  j["n"] = images.size();
  j["coverage"] = sum_cov / n;
  j["seed"] = seed;
  j["per_image"] = per_image;
  output = j.dump();
  return {};
}

}  // namespace

Status run_eval(const Params& params, const CommandContext& ctx, std::string& output) {
  return guard([&] { return eval_impl(params, ctx, output); });
}

}  // namespace cvpipe::inpaint
