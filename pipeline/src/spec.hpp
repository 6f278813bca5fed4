// PipelineSpec: a pipeline config after parsing and validation. Everything in it has been
// checked against the schemas of the loaded plugins and of the built-in sources and sinks;
// each part remembers where it came from (file:line:col) for runtime error messages.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "cvpipe/image_file.hpp"
#include "cvpipe/params.hpp"

namespace cvpipe {

struct Location {
  std::string file;
  int line = 0;  // 1-based; 0 = unknown
  int col = 0;
  std::string str() const;  // "file:line:col" (or "file", or "" when unknown)
};

struct SourceSpec {
  std::string type;  // images | video | camera | gstreamer | stream | generate (a plugin's source stage)
  Params options;    // validated against io::source_params(type); paths resolved
  std::string stage; // generate: the source stage's name
  Params params;     // generate: the source stage's parameters
  Location where;
};

struct StageSpec {
  std::string stage;  // registered stage name
  std::string name;   // instance name (defaults to stage)
  Params params;      // validated against the stage's schema
  std::string isolate;  // "process" | "none" | "" (runtime.isolate decides)
  Location where;
};

struct SinkSpec {
  std::string type;  // images | video | jsonl | window | null, or a plugin's sink stage
  Params options;    // validated against io::sink_params(type); paths resolved
  std::string stage; // a plugin sink: the sink stage's name (empty for the built-in types)
  Params params;     // a plugin sink: the stage's parameters
  Location where;
};

enum class OnError { skip, stop };

struct RuntimeSpec {
  int queue = 4;
  OnError on_error = OnError::skip;
  int threads = 0;          // 0: all cores
  int64_t max_frames = -1;  // -1: no limit
  int batch = 1;
  int batch_timeout_ms = -1;          // -1: 50 ms for live sources, else wait for a full batch
  std::string drop = "auto";          // auto | oldest | newest | none (live sources only)
  std::string executor = "streaming"; // streaming | sequential
  int64_t max_pixels = kDefaultMaxPixels;  // largest frame (width x height) a source may deliver
  std::string isolate = "none";       // none | process: every stage in a worker process (isolated_stage.hpp)
};

struct PipelineSpec {
  std::filesystem::path config_file;  // empty when built from the command line
  SourceSpec source;
  std::vector<StageSpec> stages;
  std::vector<SinkSpec> sinks;
  RuntimeSpec runtime;
};

}  // namespace cvpipe
