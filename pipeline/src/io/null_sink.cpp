// Sink `null`: discards every frame (benchmarks, dry runs); counts what it received.
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace {

const std::vector<ParamSpec>& null_sink_params() {
  static const std::vector<ParamSpec> params = {};
  return params;
}

class NullSink final : public Sink {
 public:
  Status open(const StreamInfo&) override { return {}; }
  Status write(const Frame&) override {
    ++written_;
    return {};
  }
  Status close() override { return {}; }
  std::string describe() const override { return "null"; }
  int64_t written() const override { return written_; }

 private:
  int64_t written_ = 0;
};

Status make(const Params&, std::unique_ptr<Sink>& out) {
  out = std::make_unique<NullSink>();
  return {};
}

}  // namespace

const SinkType& null_sink_type() {
  static const SinkType type{"null", &null_sink_params, &make};
  return type;
}

}  // namespace cvpipe::io
