// --input URIs and --output paths -> source and sink types with the options the URI itself names
// (io.hpp: input_location, output_location), and complete specs from them (source_from_uri,
// sink_from_path). Relative paths resolve against the working directory; everything is checked
// like a config's: a missing file is not_found, a bad URI invalid.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "io/image_list.hpp"
#include "io/io_types.hpp"
#include "schema.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kStreamSchemes = {"rtsp", "rtsps", "rtmp", "rtmps", "http", "https", "udp", "tcp", "srt", "mms", "rtp"};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

Status finish_source(SourceSpec& out, const std::string& type) {
  out.type = type;
  const auto* schema = source_params(type);
  const auto missing = fill_defaults(*schema, out.options);
  if (!missing.empty()) return Status::invalid("source '" + type + "' needs '" + missing.front() + "'");
  return {};
}

Status finish_sink(SinkSpec& out, const std::string& type) {
  out.type = type;
  const auto* schema = sink_params(type);
  const auto missing = fill_defaults(*schema, out.options);
  if (!missing.empty()) return Status::invalid("sink '" + type + "' needs '" + missing.front() + "'");
  return {};
}

}  // namespace

Status input_location(const std::string& uri_in, std::string& type, Params& location) {
  type.clear();
  location = Params{};
  const std::string uri = trim(uri_in);
  if (uri.empty()) return Status::invalid("the input is empty");
  if (uri.rfind("gst:", 0) == 0) {
    const std::string pipeline = trim(uri.substr(4));
    if (pipeline.empty()) return Status::invalid("'gst:' needs a GStreamer pipeline, e.g. gst:videotestsrc ! videoconvert ! appsink");
    location.set("pipeline", pipeline);
    type = "gstreamer";
    return {};
  }
  if (uri.rfind("camera:", 0) == 0 || uri.rfind("/dev/video", 0) == 0) {
    std::string device = uri.rfind("camera:", 0) == 0 ? uri.substr(7) : uri;
    if (device.empty()) device = "0";
    const bool index = std::all_of(device.begin(), device.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!index && device.rfind("/dev/", 0) != 0)
      return Status::invalid("camera '" + device + "': use camera:N (N = 0, 1, ...) or /dev/videoN");
    location.set("device", device);
    type = "camera";
    return {};
  }
  std::string path = uri;
  if (const auto pos = uri.find("://"); pos != std::string::npos) {
    const std::string scheme = lower(uri.substr(0, pos));
    if (contains(kStreamSchemes, scheme)) {
      location.set("url", uri);
      type = "stream";
      return {};
    }
    if (scheme != "file") {
      std::string known;
      for (const auto& s : kStreamSchemes) known += (known.empty() ? "" : ", ") + s + "://";
      return Status::invalid("unknown URI scheme '" + scheme + "://' (streams: " + known +
                             "; also gst:PIPELINE, camera:N, file:// and plain paths)");
    }
    path = uri.substr(pos + 3);
  }
  const std::string resolved = resolve_path(path, {});
  if (contains(video_extensions(), lower_extension(resolved)) && !is_glob(resolved)) {
    std::error_code ec;
    if (!fs::exists(resolved, ec)) return Status::not_found("video file '" + resolved + "' does not exist");
    if (fs::is_directory(resolved, ec)) return Status::invalid("'" + resolved + "' is a folder, not a video file");
    location.set("path", resolved);
    type = "video";
    return {};
  }
  std::vector<fs::path> files;
  if (Status st = list_image_files(resolved, "", files); !st.ok()) {
    // "images: ..." -> the message without the type prefix reads better after "--input X: ".
    std::string msg = st.message();
    if (msg.rfind("images: ", 0) == 0) msg = msg.substr(8);
    return Status(st.code(), msg);
  }
  location.set("path", resolved);
  location.set("include", std::string());  // a filter of the config's own path, not of this one
  type = "images";
  return {};
}

Status source_from_uri(const std::string& uri, SourceSpec& out) {
  out = SourceSpec{};
  std::string type;
  CVPIPE_RETURN_IF_ERROR(input_location(uri, type, out.options));
  return finish_source(out, type);
}

Status output_location(const std::string& path_in, std::string& type, Params& location) {
  type.clear();
  location = Params{};
  const std::string path = trim(path_in);
  if (path.empty()) return Status::invalid("the output path is empty");
  if (path == "null:" || path == "window:") {
    type = path.substr(0, path.size() - 1);
    return {};
  }
  if (path.find("://") != std::string::npos)
    return Status::invalid("'" + path + "' is a URI; --output takes a folder, a video file or a .jsonl file");
  const std::string resolved = resolve_path(path, {});
  const std::string ext = lower_extension(resolved);
  static const std::vector<std::string> writable = {".mp4", ".m4v", ".mov", ".avi", ".mkv", ".webm"};
  if (ext == ".jsonl" || contains(writable, ext)) {
    location.set("path", resolved);
    type = ext == ".jsonl" ? "jsonl" : "video";
    return {};
  }
  if (contains(video_extensions(), ext))
    return Status::invalid("cannot write " + ext + " videos; use .mp4, .m4v, .mov, .avi, .mkv or .webm");
  std::error_code ec;
  if (contains(image_extensions(), ext) && !fs::is_directory(resolved, ec))
    return Status::invalid("'" + path + "' looks like an image file; an images output is a folder (one file per frame)");
  if (fs::exists(resolved, ec) && !fs::is_directory(resolved, ec))
    return Status::invalid("'" + path + "' exists and is not a folder; an images output is a folder");
  location.set("path", resolved);
  type = "images";
  return {};
}

Status sink_from_path(const std::string& path, SinkSpec& out) {
  out = SinkSpec{};
  std::string type;
  CVPIPE_RETURN_IF_ERROR(output_location(path, type, out.options));
  return finish_sink(out, type);
}

}  // namespace cvpipe::io
