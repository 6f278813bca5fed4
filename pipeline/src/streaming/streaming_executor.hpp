// The streaming executor behind run_pipeline (executor.hpp) when runtime.executor is
// "streaming" (the default). Threads: one reads the source, one worker per stage, the calling
// thread writes every sink (GUI sinks need the main thread), a watcher handles the stop flag and
// the progress line; bounded queues (runtime.queue frames) between them. A thread whose own work
// is cheap (< 0.05 ms a frame, measured on the first frames, which run on one thread, and as the
// run goes) takes over its upstream neighbour when that is cheap too (or the reading, for sources
// that are not live), since a hand-off between threads costs more than that: a chain of cheap
// stages runs on one thread, costly stages keep theirs.
// - Frames leave in source order (each thread is FIFO, and a take-over first drains the queue
//   between the two threads); a stage instance is never called from two threads at once.
// - The thread budget (--threads, else runtime.threads, else all cores) is shared by the stages:
//   a stage is told max(1, budget / stages) threads (StageContext::threads, OpenMP on its worker
//   thread, cv::setNumThreads), and every stage call holds that many slots of the budget while it
//   runs (streaming/compute_slots.hpp), so stage work never keeps more cores busy than the budget
//   (--threads 1: one stage call at a time). The source reader and the sink writer are one thread
//   each outside the budget: they mostly wait for files, devices and encoders.
// - Backpressure: files, folders and generate sources block when the first queue is full (no
//   frame is dropped); a live source (StreamInfo::live) waits at most one frame interval for
//   room, then drops the oldest waiting frame (or the new one) per runtime.drop, counting each. Timestamps that go backwards are repaired
//   (previous + 1 ns) and counted. A live source with `retry` is reopened with back-off
//   (io/retrying_source.hpp) before its loss is reported.
// - Stages that prefer batches get runtime.batch frames (else their preferred size); a partial
//   batch runs at the end of the stream, or once its first frame waited runtime.batch_timeout_ms
//   (default: 50 ms for live sources; files wait for full batches, so batches are reproducible).
// - on_error skip/stop, messages, --metrics, --trace and the summary as for the sequential
//   executor; stop ends the run after the frames ahead of the failed one reached the sinks.
//   The stop flag (SIGINT/SIGTERM): reading stops, queued frames are processed (files) or
//   dropped and counted (live sources), stages finish(), every sink is closed.
#pragma once
#include "executor.hpp"

namespace cvpipe::streaming {

Status run_streaming(const PipelineSpec& spec, const PluginRegistry& registry, const RunOptions& options,
                     RunReport& report);

}  // namespace cvpipe::streaming
