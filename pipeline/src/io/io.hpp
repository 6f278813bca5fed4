// Built-in sources and sinks (images, video, camera, gstreamer, network streams; images, video,
// jsonl, window, null). Each type declares its options as a ParamSpec schema so the config loader
// validates them like stage parameters. The `generate` source wraps a plugin source stage and is
// built by the executor, not here.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "cvpipe/frame.hpp"
#include "cvpipe/stage.hpp"
#include "spec.hpp"

namespace cvpipe::io {

class Source {
 public:
  virtual ~Source() = default;
  virtual Status open(StreamInfo& info) = 0;   // fills what is known about the stream
  virtual Status read(Frame& frame) = 0;       // end_of_stream when done; io_error for a bad item
  virtual std::string describe() const = 0;    // for messages: "images:/data/x (12 files)"
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status open(const StreamInfo& info) = 0;
  virtual Status write(const Frame& frame) = 0;
  // Finishes the output (closes video files, flushes). Called once, also after errors.
  virtual Status close() = 0;
};

std::vector<std::string> source_types();
std::vector<std::string> sink_types();
// Schema of a type's options (keys other than `type`); nullptr for an unknown type.
const std::vector<ParamSpec>* source_params(const std::string& type);
const std::vector<ParamSpec>* sink_params(const std::string& type);

// Builds a source spec from a --input URI (file, folder, glob, video, camera:N, /dev/videoN,
// gst:..., rtsp://, http://) and a sink spec from an --output path (folder, video, .jsonl).
Status source_from_uri(const std::string& uri, SourceSpec& out);
Status sink_from_path(const std::string& path, SinkSpec& out);

Status make_source(const SourceSpec& spec, std::unique_ptr<Source>& out);
Status make_sink(const SinkSpec& spec, std::unique_ptr<Sink>& out);

}  // namespace cvpipe::io
