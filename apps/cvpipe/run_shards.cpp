// Sharded `cvpipe run`; see run_shards.hpp.
#include "run_shards.hpp"

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "cvpipe/nn/distributed.hpp"
#include "io/atomic_file.hpp"

namespace cvpipe::cli {

namespace fs = std::filesystem;
namespace dist = nn::dist;

fs::path rank_file(const fs::path& path, int rank) {
  return path.parent_path() / (path.stem().string() + ".rank" + std::to_string(rank) + path.extension().string());
}

Status shard_run(PipelineSpec& spec, RunOptions& options, RunShard& shard) {
  if (!dist::distributed()) return {};
  const int rank = dist::rank(), n = dist::size();
  if (spec.source.type != "images") {
    shard.idle = rank != 0;
    return {};
  }
  for (std::size_t i = 0; i < spec.sinks.size(); ++i) {
    SinkSpec& sink = spec.sinks[i];
    if (sink.type == "jsonl") {
      const fs::path final_path = sink.options.get_string("path");
      shard.jsonl_files.push_back(final_path);
      sink.options.set("path", rank_file(final_path, rank).string());
    } else if (sink.type != "images" && sink.type != "null") {
      return Status::invalid("sink " + std::to_string(i) + " (" + sink.type + ") cannot be written by " + std::to_string(n) +
                             " ranks at once; a sharded run takes images, jsonl and null sinks (run it with one rank)");
    }
  }
  shard.sharded = true;
  spec.source.options.set("shard_count", static_cast<int64_t>(n));
  spec.source.options.set("shard_index", static_cast<int64_t>(rank));
  options.shard_count = n;
  options.shard_index = rank;
  if (!options.metrics_file.empty()) options.metrics_file = rank_file(options.metrics_file, rank).string();
  if (!options.trace_file.empty()) options.trace_file = rank_file(options.trace_file, rank).string();
  if (rank != 0) options.progress = false;
  return {};
}

namespace {

Status merge_jsonl(const fs::path& final_path) {
  std::vector<std::pair<int64_t, std::string>> lines;
  std::vector<fs::path> parts;
  for (int r = 0; r < dist::size(); ++r) {
    const fs::path part = rank_file(final_path, r);
    std::ifstream in(part, std::ios::binary);
    if (!in) return Status::io("merging jsonl: cannot read '" + part.string() + "' of rank " + std::to_string(r));
    parts.push_back(part);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.contains("seq") || !j["seq"].is_number_integer())
        return Status::io("merging jsonl: a line of '" + part.string() + "' has no integer 'seq'");
      lines.emplace_back(j["seq"].get<int64_t>(), std::move(line));
    }
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  for (const auto& l : lines) text += l.second + "\n";
  CVPIPE_RETURN_IF_ERROR(io::write_file_atomic(final_path, text.data(), text.size()));
  for (const auto& part : parts) {
    std::error_code ec;
    fs::remove(part, ec);
  }
  return {};
}

}  // namespace

Status merge_shard_outputs(const RunShard& shard) {
  if (!shard.sharded) return {};
  dist::barrier();  // every rank closed its files
  if (dist::rank() != 0) return {};
  for (const auto& file : shard.jsonl_files) CVPIPE_RETURN_IF_ERROR(merge_jsonl(file));
  return {};
}

}  // namespace cvpipe::cli
