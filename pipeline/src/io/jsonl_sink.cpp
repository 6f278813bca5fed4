// Sink `jsonl`: one JSON line per frame (frame_json.hpp, the docs/cli.md format). Lines go to
// STEM.partial.jsonl, renamed to the final name on close, so a finished file is always complete.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "io/atomic_file.hpp"
#include "io/frame_json.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<ParamSpec>& jsonl_sink_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::path("path", std::nullopt, false, "output file, one JSON object per line"),
      ParamSpec::boolean("meta", false, "also write each frame's meta map as \"meta\""),
  };
  return params;
}

class JsonlSink final : public Sink {
 public:
  explicit JsonlSink(const Params& p) : path_(p.get_string("path")), meta_(p.get_bool("meta")) {
    partial_ = partial_path_for(path_);
  }
  ~JsonlSink() override { close(); }

  Status open(const StreamInfo&) override {
    if (Status st = ensure_folder(path_.parent_path()); !st.ok()) return Status::io("jsonl sink: " + st.message());
    if (Status st = check_writable(path_); !st.ok()) return Status::io("jsonl sink: " + st.message());
    file_ = std::fopen(partial_.c_str(), "wb");
    if (!file_) return Status::io("jsonl sink: cannot write '" + partial_.string() + "': " + std::strerror(errno));
    return {};
  }

  Status write(const Frame& frame) override {
    if (!file_) return Status::io("jsonl sink: '" + path_.string() + "' is not open");
    const std::string line = frame_to_json_line(frame, meta_) + "\n";
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size())
      return Status::io("jsonl sink: writing '" + partial_.string() + "' failed: " + std::strerror(errno));
    ++written_;
    return {};
  }

  Status close() override {
    if (!file_) return {};
    const bool ok = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) {
      std::error_code ec;
      fs::remove(partial_, ec);
      return Status::io("jsonl sink: finishing '" + path_.string() + "' failed: " + std::strerror(errno));
    }
    if (Status st = commit_file(partial_, path_); !st.ok()) return Status::io("jsonl sink: " + st.message());
    return {};
  }

  std::string describe() const override { return "jsonl:" + path_.string(); }
  int64_t written() const override { return written_; }

 private:
  fs::path path_, partial_;
  bool meta_;
  std::FILE* file_ = nullptr;
  int64_t written_ = 0;
};

Status make(const Params& p, std::unique_ptr<Sink>& out) {
  out = std::make_unique<JsonlSink>(p);
  return {};
}

}  // namespace

const SinkType& jsonl_sink_type() {
  static const SinkType type{"jsonl", &jsonl_sink_params, &make};
  return type;
}

}  // namespace cvpipe::io
