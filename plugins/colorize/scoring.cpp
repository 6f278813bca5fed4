// Scoring a colorize model; see scoring.hpp.
#include "scoring.hpp"

#include <opencv2/imgproc.hpp>

#include "lab.hpp"

namespace cvpipe::colorize {

cv::Mat grayscale_picture(const cv::Mat& bgr) {
  const cv::Mat g3 = gray_picture(bgr);
  cv::Mat g;
  cv::extractChannel(g3, g, 1);
  return g;
}

Prepared prepare(ColorizeNet& net, const cv::Mat& truth_bgr, bool with_flip_average) {
  Prepared p;
  p.truth = truth_bgr;
  p.gray = grayscale_picture(truth_bgr);
  const Status s = lightness(p.gray, p.l);
  CV_Assert(s.ok());
  p.logits = net.logits(p.l);
  if (with_flip_average) p.logits_flip_average = net.logits(p.l, true);
  return p;
}

cv::Mat render(const ColorizeNet& net, const Prepared& p, Decoding d) {
  if (d.flip_average && !p.logits_flip_average.defined()) throw nn::Error("render: photo prepared without flip averaging");
  return from_lab(p.l, net.decode(d.flip_average ? p.logits_flip_average : p.logits, p.l.size(), d), CV_8U);
}

Scores score(const ColorizeNet& net, const std::vector<Prepared>& photos, Decoding d) {
  Scores s;
  for (const auto& p : photos) {
    const cv::Mat out = render(net, p, d);
    cv::Mat gray_bgr;
    cv::cvtColor(p.gray, gray_bgr, cv::COLOR_GRAY2BGR);
    s.psnr += psnr(out, p.truth);
    s.psnr_gray += psnr(gray_bgr, p.truth);
    s.colorfulness += colorfulness(out);
    s.colorfulness_truth += colorfulness(p.truth);
    ++s.n;
  }
  if (s.n > 0) {
    s.psnr /= s.n;
    s.psnr_gray /= s.n;
    s.colorfulness /= s.n;
    s.colorfulness_truth /= s.n;
  }
  return s;
}

Decoding tune_decoding(const ColorizeNet& net, const std::vector<Prepared>& photos, const TuneOptions& o, nlohmann::json& table) {
  struct Candidate {
    Decoding d;
    Scores s;
  };
  // The grid; flip averaging only when the photos were prepared with it.
  std::vector<Decoding> grid;
  const bool flip_prepared = !photos.empty() && photos.front().logits_flip_average.defined();
  for (bool flip : {false, true})
    for (float cast : {0.f, 1.f})
      for (float prior : {0.f, 1.f})
        for (float t : {0.45f, 0.7f, 1.0f})
          for (float conf : {0.f, 1.f, 2.f, 4.f})
            for (float sat : {0.4f, 0.6f, 0.8f, 1.0f, 1.25f, 1.6f, 2.0f, 2.5f})
              if (!flip || flip_prepared) grid.push_back(Decoding{t, sat, prior, cast, conf, flip});
  std::vector<Candidate> all;
  table = nlohmann::json::array();
  for (const Decoding& d : grid) {
    const Scores s = score(net, photos, d);
    all.push_back({d, s});
    table.push_back({{"flip_average", d.flip_average}, {"cast_removal", d.cast_removal}, {"prior_correction", d.prior_correction},
                     {"temperature", d.temperature}, {"confidence", d.confidence}, {"saturation", d.saturation},
                     {"psnr", s.psnr}, {"psnr_gray", s.psnr_gray}, {"colorfulness", s.colorfulness},
                     {"colorfulness_truth", s.colorfulness_truth}});
  }
  const Candidate* best = nullptr;
  auto better = [](const Candidate* cur, const Candidate& c, auto key) { return !cur || key(c) > key(*cur); };
  auto by_psnr = [](const Candidate& c) { return c.s.psnr; };
  auto by_colour = [](const Candidate& c) { return c.s.colorfulness_ratio(); };
  for (const auto& c : all)
    if (c.s.psnr >= c.s.psnr_gray + o.psnr_margin && c.s.colorfulness_ratio() >= o.target_colorfulness && better(best, c, by_psnr)) best = &c;
  if (!best)
    for (const auto& c : all)
      if (c.s.psnr >= c.s.psnr_gray + o.psnr_margin && better(best, c, by_colour)) best = &c;
  if (!best)
    for (const auto& c : all)
      if (better(best, c, by_psnr)) best = &c;
  return best->d;
}

}  // namespace cvpipe::colorize
