// Process isolation for stages (`runtime.isolate: process`, or `isolate: process` on one stage).
// make_isolated_stage returns a Stage that runs the real one in a worker process
// (cvpipe-stage-worker, a fresh program: no inherited threads or locks), forwarding every call and
// frame over a socket pair (wire.hpp). Guarantees:
// - A crash (fatal signal) or an unexpected exit of the worker during a call costs that call:
//   it returns a runtime_error naming the signal and the call, a new worker is started and
//   configured and opened as the first one was, and the next frame goes to it. The host counts the
//   failed frame like any other (runtime.on_error).
// - The worker's stdout goes to the host's stderr (a stage printing cannot corrupt the exchange).
// - Frames cross as copies (pixels, detections, labels, planes, meta); that copy, twice per call,
//   is the cost of isolation.
// The worker program is found next to libcvpipe_runtime.so (the build tree), in its cvpipe/
// folder (an install), or at $CVPIPE_STAGE_WORKER.
#pragma once
#include <filesystem>
#include <string>

#include "plugin_registry.hpp"

namespace cvpipe {

// The stage `stage` of the plugin library `plugin_file`, run in a worker process (started at
// configure()). `instance` names the stage in messages.
Status make_isolated_stage(const std::filesystem::path& plugin_file, const std::string& stage, StageHandle& out);

// The worker's side: serves one stage over `in_fd` / `out_fd` until the host closes it or the
// connection ends. Returns the process exit code.
int serve_isolated_stage(int in_fd, int out_fd);

}  // namespace cvpipe
