// The table of built-in source and sink types: io.hpp's type lists, schemas and factories.
#include <algorithm>
#include <cctype>
#include <exception>
#include <filesystem>

#include "io/io_types.hpp"

namespace cvpipe::io {

namespace {

const std::vector<const SourceType*>& all_sources() {
  static const std::vector<const SourceType*> types = {&images_source_type(), &video_source_type(),
                                                       &camera_source_type(), &gstreamer_source_type(),
                                                       &stream_source_type()};
  return types;
}

const std::vector<const SinkType*>& all_sinks() {
  static const std::vector<const SinkType*> types = {&images_sink_type(), &video_sink_type(), &jsonl_sink_type(),
                                                     &window_sink_type(), &null_sink_type()};
  return types;
}

const SourceType* find_source(const std::string& name) {
  for (const auto* t : all_sources())
    if (name == t->name) return t;
  return nullptr;
}

const SinkType* find_sink(const std::string& name) {
  for (const auto* t : all_sinks())
    if (name == t->name) return t;
  return nullptr;
}

template <class T>
std::string type_list(const std::vector<const T*>& types) {
  std::string s;
  for (const auto* t : types) s += (s.empty() ? "" : ", ") + std::string(t->name);
  return s;
}

}  // namespace

std::vector<std::string> source_types() {
  std::vector<std::string> names;
  for (const auto* t : all_sources()) names.emplace_back(t->name);
  return names;
}

std::vector<std::string> sink_types() {
  std::vector<std::string> names;
  for (const auto* t : all_sinks()) names.emplace_back(t->name);
  return names;
}

const std::vector<ParamSpec>* source_params(const std::string& type) {
  const SourceType* t = find_source(type);
  return t ? &t->params() : nullptr;
}

const std::vector<ParamSpec>* sink_params(const std::string& type) {
  const SinkType* t = find_sink(type);
  return t ? &t->params() : nullptr;
}

Status make_source(const SourceSpec& spec, std::unique_ptr<Source>& out) {
  const SourceType* t = find_source(spec.type);
  if (!t) {
    if (spec.type == "generate")
      return Status::invalid("a generate source is built from a plugin stage by the executor, not by io::make_source");
    return Status::invalid("unknown source type '" + spec.type + "' (types: " + type_list(all_sources()) + ")");
  }
  try {
    return t->make(spec.options, out);
  } catch (const std::exception& e) {
    return Status::runtime("source '" + spec.type + "': " + e.what());
  }
}

Status make_sink(const SinkSpec& spec, std::unique_ptr<Sink>& out) {
  const SinkType* t = find_sink(spec.type);
  if (!t) return Status::invalid("unknown sink type '" + spec.type + "' (types: " + type_list(all_sinks()) + ")");
  try {
    return t->make(spec.options, out);
  } catch (const std::exception& e) {
    return Status::runtime("sink '" + spec.type + "': " + e.what());
  }
}

const std::vector<std::string>& video_extensions() {
  static const std::vector<std::string> exts = {".avi", ".mp4", ".mkv", ".mov", ".webm", ".m4v", ".mpg", ".mpeg", ".wmv", ".flv"};
  return exts;
}

const std::vector<std::string>& image_extensions() {
  static const std::vector<std::string> exts = {".png", ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".tif", ".tiff", ".webp",
                                                ".pbm", ".pgm", ".ppm", ".pnm", ".pxm", ".sr", ".ras", ".jp2", ".exr", ".hdr", ".pic"};
  return exts;
}

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace cvpipe::io
