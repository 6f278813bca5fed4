// Internal to io/: one descriptor per built-in source or sink type (its name, option schema and
// factory). Each type lives in its own file and exposes its descriptor through a function here;
// io_registry.cpp lists them. Factories receive options already validated against the schema
// (defaults filled, paths resolved) and must not throw.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "io/io.hpp"

namespace cvpipe::io {

struct SourceType {
  const char* name;
  const std::vector<ParamSpec>& (*params)();
  Status (*make)(const Params& options, std::unique_ptr<Source>& out);
};

struct SinkType {
  const char* name;
  const std::vector<ParamSpec>& (*params)();
  Status (*make)(const Params& options, std::unique_ptr<Sink>& out);
};

const SourceType& images_source_type();
const SourceType& video_source_type();
const SourceType& camera_source_type();
const SourceType& gstreamer_source_type();
const SourceType& stream_source_type();

const SinkType& images_sink_type();
const SinkType& video_sink_type();
const SinkType& jsonl_sink_type();
const SinkType& window_sink_type();
const SinkType& null_sink_type();

// Extensions (lower case, with the dot) that source_from_uri / sink_from_path treat as video files.
const std::vector<std::string>& video_extensions();
// Extensions of image files an images source picks from a folder.
const std::vector<std::string>& image_extensions();
// Lower-cased extension of a path, with the dot ("" when none).
std::string lower_extension(const std::string& path);

}  // namespace cvpipe::io
