// `cvpipe run` as one rank of several (mpirun -np N; docs/scale-out.md): the source's items are
// dealt round-robin in sorted order (rank r reads items i with i % N == r), each rank writes its
// own outputs, and the jsonl files are merged at the end into the file one process would write.
//
// What is sharded: an `images` source (a file, folder or glob). Any other source (a video, a
// camera, a stream ...) is not: rank 0 runs it alone and the other ranks do nothing. Sinks of a
// sharded run: `images` (file names come from the item, so ranks never collide), `jsonl` (rank r
// writes STEM.rankR.EXT, merged by seq into the configured file) and `null`; other sinks (video,
// window) cannot take frames from several processes and are a configuration error.
// With one rank nothing changes.
#pragma once
#include <filesystem>
#include <vector>

#include "executor.hpp"
#include "spec.hpp"

namespace cvpipe::cli {

struct RunShard {
  bool sharded = false;  // the source is split across the ranks (every rank runs a part)
  bool idle = false;     // this rank has nothing to run (unsharded source on a rank other than 0)
  std::vector<std::filesystem::path> jsonl_files;  // the final files to merge into
};

// Adapts `spec` and `options` to this rank (no-op with one rank). An invalid status: a sink that
// cannot be sharded (names the sink).
Status shard_run(PipelineSpec& spec, RunOptions& options, RunShard& shard);

// "out/result.jsonl" -> "out/result.rank1.jsonl".
std::filesystem::path rank_file(const std::filesystem::path& path, int rank);

// Called by every rank after its run succeeded: when the run was sharded, waits for all ranks,
// then rank 0 merges each jsonl file's rank files by seq (stable) into the final file
// (atomically) and removes them. Otherwise (one rank, or an unsharded source) does nothing.
Status merge_shard_outputs(const RunShard& shard);

}  // namespace cvpipe::cli
