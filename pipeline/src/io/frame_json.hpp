// One frame as the jsonl sink's JSON object (docs/cli.md "Output files"), keys in the documented
// order: seq, pts_ns, source, width, height, labels, detections (+ meta when asked). Scores are
// rounded to 4 decimals and box coordinates to 2, so lines stay short and stable. Pure.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "cvpipe/frame.hpp"

namespace cvpipe::io {

nlohmann::ordered_json frame_to_json(const Frame& frame, bool with_meta = false);
// frame_to_json(...).dump(): one line, no trailing newline.
std::string frame_to_json_line(const Frame& frame, bool with_meta = false);

}  // namespace cvpipe::io
