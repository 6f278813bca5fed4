// Built-in sources and sinks (images, video, camera, gstreamer, network streams; images, video,
// jsonl, window, null). Each type declares its options as a ParamSpec schema so the config loader
// validates them like stage parameters. A plugin's source and sink stages are wrapped as a Source
// and a Sink by the executor, not here (io/plugin_stage_io.hpp).
// Guarantees: no function here throws (OpenCV exceptions become Status values); a source makes
// progress on every read (an io_error consumes the bad item, so reading on continues with the next
// one); sinks write atomically (temp name in the same folder, renamed on success), so a final
// output name never holds a half-written file. Objects are used from one thread at a time.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cvpipe/frame.hpp"
#include "cvpipe/image_file.hpp"
#include "cvpipe/stage.hpp"
#include "spec.hpp"

namespace cvpipe::io {

// Non-fatal notes (a video that ended early, a window sink without a display) collected by
// sources and sinks; the executor prints them.
class WarningLog {
 public:
  std::vector<std::string> take_warnings() { return std::exchange(warnings_, {}); }

 protected:
  void warn(std::string message) { warnings_.push_back(std::move(message)); }

 private:
  std::vector<std::string> warnings_;
};

class Source : public WarningLog {
 public:
  virtual ~Source() = default;
  virtual Status open(StreamInfo& info) = 0;   // fills what is known about the stream
  virtual Status read(Frame& frame) = 0;       // end_of_stream when done; io_error for a bad item
  virtual std::string describe() const = 0;    // for messages: "images:/data/x (12 files)"
  virtual Status close() { return {}; }        // releases the device / stage; called once after open
  // Pixel budget of one frame (runtime.max_pixels), set before open(). Sources that can tell a
  // frame's size before decoding it (images: the file header) refuse larger ones unallocated.
  virtual void set_max_pixels(int64_t max_pixels) { max_pixels_ = max_pixels; }
  // A flag that turns true when the run should stop (Ctrl-C), set before open(). A source whose
  // open() can block (a live backend) gives up as soon as it is true, with a cancelled status.
  void set_stop_flag(const std::atomic<bool>* stop) { stop_flag_ = stop; }

 protected:
  int64_t max_pixels_ = kDefaultMaxPixels;
  const std::atomic<bool>* stop_flag_ = nullptr;
};

class Sink : public WarningLog {
 public:
  virtual ~Sink() = default;
  virtual Status open(const StreamInfo& info) = 0;
  virtual Status write(const Frame& frame) = 0;
  // Finishes the output (closes video files, flushes). Called once, also after errors.
  virtual Status close() = 0;
  virtual std::string describe() const = 0;    // for messages and the summary: "images:out/blur"
  virtual int64_t written() const { return 0; } // files or frames written so far
};

std::vector<std::string> source_types();
std::vector<std::string> sink_types();
// Schema of a type's options (keys other than `type`); nullptr for an unknown type.
const std::vector<ParamSpec>* source_params(const std::string& type);
const std::vector<ParamSpec>* sink_params(const std::string& type);

// What a --input URI names: the source type and the options the URI itself sets (`path`, `url`,
// `device` or `pipeline`; paths absolute; an images path also clears `include`), checked; no
// other defaults. output_location: the same for an --output path (`path`; none for null: and
// window:).
Status input_location(const std::string& uri, std::string& type, Params& location);
Status output_location(const std::string& path, std::string& type, Params& location);

// Builds a source spec from a --input URI (file, folder, glob, video, camera:N, /dev/videoN,
// gst:..., rtsp://, http://) and a sink spec from an --output path (folder, video, .jsonl).
Status source_from_uri(const std::string& uri, SourceSpec& out);
Status sink_from_path(const std::string& path, SinkSpec& out);

Status make_source(const SourceSpec& spec, std::unique_ptr<Source>& out);
Status make_sink(const SinkSpec& spec, std::unique_ptr<Sink>& out);

}  // namespace cvpipe::io
