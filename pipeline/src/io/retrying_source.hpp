// RetryingSource: wraps a live source (camera, gstreamer, stream) so that a failure to open, a
// read error, or the stream ending is met by closing it, waiting, and opening it again, up to
// `attempts` times in a row with doubling back-off (delay, 2 x delay ... capped at 16 x delay);
// a frame read successfully resets the count. When the attempts are used up the failure is
// reported as an io_error naming the source, the attempts and the last cause; the stream then
// ends (reads return end_of_stream). Each retry leaves a warning ("... retrying in N ms (attempt
// k of n)"). The back-off wait checks `stop` every 20 ms, so Ctrl-C is not held up by it.
// Used from one thread at a time, like every Source.
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "io/io.hpp"

namespace cvpipe::io {

struct RetryPolicy {
  int attempts = 0;      // 0: no retry (the wrapper is not needed)
  int delay_ms = 500;    // first back-off; doubles per attempt
};

// The policy from a source's options (`retry`, `retry_delay_ms`; absent: no retry).
RetryPolicy retry_policy(const Params& options);
// `params` plus the two options above, for the schemas of live source types.
std::vector<ParamSpec> with_retry_params(std::vector<ParamSpec> params);

class RetryingSource final : public Source {
 public:
  RetryingSource(std::unique_ptr<Source> inner, RetryPolicy policy, const std::atomic<bool>* stop = nullptr)
      : inner_(std::move(inner)), policy_(policy), stop_(stop) {}

  Status open(StreamInfo& info) override;
  Status read(Frame& frame) override;
  std::string describe() const override { return inner_->describe(); }
  Status close() override;

  int64_t retries() const { return retries_; }  // reopen attempts made so far

 private:
  // Closes the inner source and tries to reopen it until it works or the attempts run out.
  Status reopen(const Status& cause, StreamInfo& info);
  bool wait_ms(int ms) const;  // false when a stop was requested during the wait
  void forward_warnings();

  std::unique_ptr<Source> inner_;
  RetryPolicy policy_;
  const std::atomic<bool>* stop_;
  bool open_ = false;
  bool given_up_ = false;
  int attempt_ = 0;       // reopen attempts since the last frame read
  int64_t retries_ = 0;
};

}  // namespace cvpipe::io
