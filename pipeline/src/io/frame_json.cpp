// Frame -> JSON line: see frame_json.hpp.
#include "io/frame_json.hpp"

#include <cmath>

namespace cvpipe::io {

namespace {

double round_to(double v, double scale) {
  if (!std::isfinite(v)) return 0.0;
  return std::round(v * scale) / scale;
}

}  // namespace

nlohmann::ordered_json frame_to_json(const Frame& f, bool with_meta) {
  nlohmann::ordered_json j;
  j["seq"] = f.seq;
  j["pts_ns"] = f.pts_ns;
  j["source"] = f.source;
  j["width"] = f.image.cols;
  j["height"] = f.image.rows;
  auto labels = nlohmann::ordered_json::array();
  for (const auto& l : f.labels) {
    nlohmann::ordered_json o;
    o["id"] = l.id;
    o["name"] = l.name;
    o["score"] = round_to(l.score, 1e4);
    labels.push_back(std::move(o));
  }
  j["labels"] = std::move(labels);
  auto dets = nlohmann::ordered_json::array();
  for (const auto& d : f.detections) {
    nlohmann::ordered_json o;
    o["box"] = {round_to(d.box.x, 100), round_to(d.box.y, 100), round_to(d.box.width, 100), round_to(d.box.height, 100)};
    o["class_id"] = d.class_id;
    o["label"] = d.label;
    o["score"] = round_to(d.score, 1e4);
    if (d.track_id >= 0) o["track_id"] = d.track_id;
    dets.push_back(std::move(o));
  }
  j["detections"] = std::move(dets);
  if (with_meta) {
    auto meta = nlohmann::ordered_json::object();
    for (const auto& [k, v] : f.meta) {
      if (auto i = std::get_if<int64_t>(&v)) meta[k] = *i;
      else if (auto d = std::get_if<double>(&v)) meta[k] = std::isfinite(*d) ? nlohmann::ordered_json(*d) : nlohmann::ordered_json();
      else meta[k] = std::get<std::string>(v);
    }
    j["meta"] = std::move(meta);
  }
  return j;
}

std::string frame_to_json_line(const Frame& frame, bool with_meta) {
  // Invalid UTF-8 in a source name is replaced rather than thrown on.
  return frame_to_json(frame, with_meta).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace cvpipe::io
