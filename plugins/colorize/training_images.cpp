// Training images; see training_images.hpp.
#include "training_images.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "cvpipe/photos.hpp"

namespace cvpipe::colorize {

Status read_video_frames(const std::filesystem::path& video, int every, int max_frames, std::vector<cv::Mat>& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(video, ec)) return Status::not_found("video '" + video.string() + "' does not exist");
  cv::VideoCapture cap(video.string());
  if (!cap.isOpened()) return Status::io("cannot open video '" + video.string() + "'");
  cv::Mat frame;
  int taken = 0;
  for (int i = 0; taken < max_frames && cap.read(frame); ++i) {
    if (frame.empty()) break;
    if (i % every == every / 2) {
      cv::Mat bgr;
      if (frame.channels() == 3) bgr = frame.clone();
      else cv::cvtColor(frame, bgr, frame.channels() == 4 ? cv::COLOR_BGRA2BGR : cv::COLOR_GRAY2BGR);
      out.push_back(bgr);
      ++taken;
    }
  }
  if (taken == 0) return Status::io("video '" + video.string() + "' gave no frames");
  return {};
}

Status load_training_images(const std::filesystem::path& dir, const std::vector<std::string>& photos,
                            const std::vector<std::string>& videos, int frames_per_video,
                            std::vector<cv::Mat>& images, std::vector<std::string>& names) {
  std::vector<cv::Mat> loaded;
  CVPIPE_RETURN_IF_ERROR(load_photos(dir, photos, 3, loaded));
  for (std::size_t i = 0; i < loaded.size(); ++i) {
    images.push_back(loaded[i]);
    names.push_back(photos[i]);
  }
  if (frames_per_video <= 0) return {};
  for (const auto& v : videos) {
    const std::filesystem::path path = dir / v;
    cv::VideoCapture cap(path.string());
    const int count = cap.isOpened() ? static_cast<int>(cap.get(cv::CAP_PROP_FRAME_COUNT)) : 0;
    const int every = std::max(1, count / frames_per_video);
    std::vector<cv::Mat> frames;
    CVPIPE_RETURN_IF_ERROR(read_video_frames(path, every, frames_per_video, frames));
    for (std::size_t i = 0; i < frames.size(); ++i) {
      images.push_back(frames[i]);
      names.push_back(v + "#" + std::to_string(static_cast<int>(i) * every + every / 2));
    }
  }
  return {};
}

Status load_training_set(const std::filesystem::path& dir, const Params& p, const std::string& kept_out, TrainingSet& out) {
  out = {};
  out.kept_out_names = split_list(p.get_string(kept_out));
  const auto& kept = out.kept_out_names;
  auto is_kept = [&](const std::string& f) { return std::find(kept.begin(), kept.end(), f) != kept.end(); };
  std::vector<std::string> photos = split_list(p.get_string("photos"));
  if (photos.empty()) {
    for (const auto& f : photo_lists().train_color)
      if (!is_kept(f)) photos.push_back(f);
  }
  const auto& held = photo_lists().held_out;
  for (const auto& f : photos) {
    if (is_kept(f)) return Status::invalid("photo '" + f + "' is both in 'photos' and in '" + kept_out + "'");
    if (std::find(held.begin(), held.end(), f) != held.end()) return Status::invalid("photo '" + f + "' is held out for evaluation");
  }
  out.photos = photos.size();
  CVPIPE_RETURN_IF_ERROR(load_training_images(dir, photos, split_list(p.get_string("videos")),
                                              static_cast<int>(p.get_int("frames_per_video")), out.images, out.names));
  return load_photos(dir, kept, 3, out.kept_out);
}

cv::Mat resize_short_side(const cv::Mat& image, int side) {
  const double s = static_cast<double>(side) / std::min(image.cols, image.rows);
  cv::Mat out;
  const cv::Size size(std::max(1, static_cast<int>(std::lround(image.cols * s))), std::max(1, static_cast<int>(std::lround(image.rows * s))));
  cv::resize(image, out, size, 0, 0, s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return out;
}

}  // namespace cvpipe::colorize
