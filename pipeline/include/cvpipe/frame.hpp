// Frame: what flows through a pipeline. Value type; copying shares pixel buffers (cv::Mat
// semantics), so a stage that modifies pixels in place must own them (clone if unsure).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include <opencv2/core.hpp>

namespace cvpipe {

struct Detection {
  cv::Rect2f box;        // x, y, width, height in image pixels
  int class_id = -1;
  std::string label;
  float score = 0.f;
  int track_id = -1;     // persistent object id set by a tracker; -1: not tracked
};

struct Label {
  int id = -1;
  std::string name;
  float score = 0.f;
};

using MetaValue = std::variant<int64_t, double, std::string>;

struct Frame {
  cv::Mat image;                          // 8U or 16U, 1 or 3 channels (BGR), or empty
  int64_t seq = 0;                        // 0, 1, 2, ... in source order
  int64_t pts_ns = 0;                     // presentation time from the source
  std::string source;                     // file name (no folder) or source description
  std::vector<Detection> detections;
  std::vector<Label> labels;              // top-k, best first
  std::map<std::string, cv::Mat> planes;  // named extra images: "mask", "original", ...
  std::map<std::string, MetaValue> meta;
};

// "frame 7 (tick_7.png)", or "frame 7" without a source: how messages name a frame.
inline std::string frame_text(const Frame& f) {
  return "frame " + std::to_string(f.seq) + (f.source.empty() ? std::string() : " (" + f.source + ")");
}

}  // namespace cvpipe
