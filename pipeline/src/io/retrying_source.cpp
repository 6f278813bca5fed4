// RetryingSource: see retrying_source.hpp.
#include "io/retrying_source.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace cvpipe::io {

RetryPolicy retry_policy(const Params& options) {
  RetryPolicy p;
  if (options.has("retry")) p.attempts = static_cast<int>(options.get_int("retry"));
  if (options.has("retry_delay_ms")) p.delay_ms = static_cast<int>(options.get_int("retry_delay_ms"));
  return p;
}

std::vector<ParamSpec> with_retry_params(std::vector<ParamSpec> params) {
  params.push_back(ParamSpec::integer("retry", 0, 0, 1000,
                                      "reopen a source that fails to open, breaks or ends up to this many times in a row; 0: never"));
  params.push_back(ParamSpec::integer("retry_delay_ms", 500, 1, 600000, "first wait before reopening; doubles per attempt (at most 16x)"));
  return params;
}

bool RetryingSource::wait_ms(int ms) const {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (stop_ && stop_->load()) return false;
    const auto left = end - std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
  return !(stop_ && stop_->load());
}

void RetryingSource::forward_warnings() {
  for (auto& w : inner_->take_warnings()) warn(std::move(w));
}

Status RetryingSource::reopen(const Status& cause, StreamInfo& info) {
  Status last = cause;
  const int base = std::max(1, policy_.delay_ms);
  while (attempt_ < policy_.attempts) {
    ++attempt_;
    if (open_) {
      inner_->close();
      forward_warnings();
      open_ = false;
    }
    const int delay = std::min(base << std::min(attempt_ - 1, 4), base * 16);
    warn(describe() + ": " + last.message() + "; retrying in " + std::to_string(delay) + " ms (attempt " +
         std::to_string(attempt_) + " of " + std::to_string(policy_.attempts) + ")");
    if (!wait_ms(delay)) return Status::end_of_stream();  // stopping: no point in reopening
    ++retries_;
    last = inner_->open(info);
    forward_warnings();
    if (last.ok()) {
      open_ = true;
      return {};
    }
  }
  given_up_ = true;
  return Status::io(describe() + ": gave up after " + std::to_string(policy_.attempts) + " retr" +
                    (policy_.attempts == 1 ? "y" : "ies") + ": " + last.message());
}

Status RetryingSource::open(StreamInfo& info) {
  Status st = inner_->open(info);
  forward_warnings();
  if (st.ok()) {
    open_ = true;
    return st;
  }
  if (policy_.attempts <= 0) return st;
  st = reopen(st, info);
  if (st.is_end()) return Status::io(describe() + ": stopped while retrying to open");
  return st;
}

Status RetryingSource::read(Frame& frame) {
  if (given_up_ || !open_) return Status::end_of_stream();
  Status st = inner_->read(frame);
  forward_warnings();
  if (policy_.attempts <= 0) return st;
  // A live source that fails or ends has gone away: bring it back, then read on. The attempts
  // count failures since the last frame read, so a source that reopens but never delivers
  // still runs out of them.
  while (!st.ok()) {
    StreamInfo info;
    Status again = reopen(st.is_end() ? Status::io("the stream ended") : st, info);
    if (!again.ok()) return again;
    st = inner_->read(frame);
    forward_warnings();
  }
  attempt_ = 0;
  return st;
}

Status RetryingSource::close() {
  if (!open_) return {};
  open_ = false;
  Status st = inner_->close();
  forward_warnings();
  return st;
}

}  // namespace cvpipe::io
