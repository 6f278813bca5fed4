// Backend `haar`: see backends.hpp.
#include <algorithm>
#include <map>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "backends.hpp"

#ifndef CVPIPE_DETECT_CASCADE_DIR
#define CVPIPE_DETECT_CASCADE_DIR "/usr/share/opencv4/haarcascades"
#endif

namespace cvpipe::detect {

namespace {

namespace fs = std::filesystem;

// Friendly names for the opencv-data cascades people ask for most.
const std::map<std::string, std::string>& aliases() {
  static const std::map<std::string, std::string> a = {
      {"face", "frontalface_default"}, {"eye", "eye"},         {"eyes", "eye"},
      {"body", "fullbody"},            {"profile", "profileface"}, {"cat", "frontalcatface"},
  };
  return a;
}

// Where opencv-data's haarcascades may be: the folder OpenCV was configured with, then the usual prefixes.
std::vector<fs::path> cascade_dirs() {
  std::vector<fs::path> dirs = {CVPIPE_DETECT_CASCADE_DIR, "/usr/share/opencv4/haarcascades",
                                "/usr/local/share/opencv4/haarcascades"};
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  return dirs;
}

// short name -> file, for every haarcascade_*.xml found.
std::map<std::string, fs::path> installed_cascades() {
  std::map<std::string, fs::path> out;
  for (const auto& dir : cascade_dirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string n = it->path().filename().string();
      const std::string prefix = "haarcascade_";
      if (n.rfind(prefix, 0) != 0 || it->path().extension() != ".xml") continue;
      out.emplace(n.substr(prefix.size(), n.size() - prefix.size() - 4), it->path());
    }
  }
  return out;
}

class HaarDetector final : public Detector {
 public:
  const std::vector<std::string>& class_names() const override { return names_; }

  Status load(const DetectorOptions& o) {
    options_ = o;
    if (o.cascades.empty()) return Status::invalid("backend haar needs a cascade (e.g. cascade: face)");
    for (const auto& name : o.cascades) {
      fs::path file;
      std::string label;
      CVPIPE_RETURN_IF_ERROR(resolve_cascade(name, file, label));
      cv::CascadeClassifier c;
      bool ok = false;
      try {
        ok = c.load(file.string());
      } catch (const cv::Exception&) {
        ok = false;
      }
      if (!ok || c.empty())
        return Status::invalid("cascade '" + name + "': '" + file.string() + "' is not a readable OpenCV cascade file");
      cascades_.push_back(std::move(c));
      names_.push_back(label);
    }
    return {};
  }

  Status detect(const cv::Mat& bgr8, std::vector<Detection>& out) override {
    cv::Mat gray;
    cv::cvtColor(bgr8, gray, cv::COLOR_BGR2GRAY);
    cv::equalizeHist(gray, gray);
    const cv::Size min_size(options_.min_size, options_.min_size);
    for (size_t c = 0; c < cascades_.size(); ++c) {
      std::vector<cv::Rect> rects;
      std::vector<int> neighbours;
      cascades_[c].detectMultiScale(gray, rects, neighbours, options_.scale_step, options_.min_neighbors, 0, min_size);
      for (size_t i = 0; i < rects.size(); ++i) {
        const float n = static_cast<float>(std::max(1, i < neighbours.size() ? neighbours[i] : 1));
        out.push_back(Detection{cv::Rect2f(rects[i]), static_cast<int>(c), names_[c], n / (n + 4.f)});
      }
    }
    return {};
  }

 private:
  DetectorOptions options_;
  std::vector<cv::CascadeClassifier> cascades_;
  std::vector<std::string> names_;
};

}  // namespace

std::vector<std::string> cascade_names() {
  std::vector<std::string> names;
  const auto installed = installed_cascades();
  for (const auto& [n, f] : installed) names.push_back(n);
  for (const auto& [a, target] : aliases())
    if (installed.count(target)) names.push_back(a);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Status resolve_cascade(const std::string& name, fs::path& file, std::string& label) {
  const bool is_path = name.find('/') != std::string::npos || fs::path(name).extension() == ".xml";
  if (is_path) {
    std::error_code ec;
    if (!fs::is_regular_file(name, ec)) return Status::not_found("cascade file '" + name + "' does not exist");
    file = name;
    label = file.stem().string();
    if (label.rfind("haarcascade_", 0) == 0) label = label.substr(12);
    return {};
  }
  const auto installed = installed_cascades();
  std::string key = name;
  if (auto a = aliases().find(name); a != aliases().end()) key = a->second;
  if (auto it = installed.find(key); it != installed.end()) {
    file = it->second;
    label = name;
    return {};
  }
  std::string known;
  for (const auto& n : cascade_names()) known += (known.empty() ? "" : ", ") + n;
  if (known.empty())
    return Status::not_found("unknown cascade '" + name + "': no haarcascades found in " + cascade_dirs().front().string() +
                             " (install opencv-data) and it is not a path to an .xml file");
  return Status::not_found("unknown cascade '" + name + "'; known: " + known + " (or a path to a cascade .xml file)");
}

Status create_haar(const DetectorOptions& options, std::unique_ptr<Detector>& out) {
  auto d = std::make_unique<HaarDetector>();
  CVPIPE_RETURN_IF_ERROR(d->load(options));
  out = std::move(d);
  return {};
}

}  // namespace cvpipe::detect
