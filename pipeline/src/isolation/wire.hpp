// The byte form of what crosses between the host and an isolated stage's process
// (isolated_stage.hpp): frames (pixels and everything a stage may attach), parameters, stage
// context, stream info and Status, in length-prefixed messages over a pipe. Both ends are the same
// build, so values are written in the machine's own byte order. A reader never trusts the bytes:
// a short or malformed message is an error, not a crash.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "cvpipe/frame.hpp"
#include "cvpipe/params.hpp"
#include "cvpipe/stage.hpp"
#include "cvpipe/status.hpp"

namespace cvpipe::wire {

class Writer {
 public:
  void u8(uint8_t v) { raw(&v, 1); }
  void i64(int64_t v) { raw(&v, sizeof v); }
  void f64(double v) { raw(&v, sizeof v); }
  void str(const std::string& s);
  void mat(const cv::Mat& m);
  void frame(const Frame& f);
  void frames(const std::vector<Frame>& fs);
  void params(const Params& p);
  void context(const StageContext& c);
  void stream(const StreamInfo& s);
  void status(const Status& s);
  const std::string& bytes() const { return bytes_; }

 private:
  void raw(const void* p, size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  std::string bytes_;
};

// Reads what Writer wrote; each getter returns false once the message is short or malformed.
class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  bool u8(uint8_t& v) { return raw(&v, 1); }
  bool i64(int64_t& v) { return raw(&v, sizeof v); }
  bool f64(double& v) { return raw(&v, sizeof v); }
  bool str(std::string& s);
  bool mat(cv::Mat& m);
  bool frame(Frame& f);
  bool frames(std::vector<Frame>& fs);
  bool params(Params& p);
  // The context without its logger; `log_level`: the host logger's most verbose level, -1 for none.
  bool context(StageContext& c, int64_t& log_level);
  bool stream(StreamInfo& s);
  bool status(Status& s);

 private:
  bool raw(void* p, size_t n);
  const std::string& bytes_;
  size_t at_ = 0;
};

// One message: its size, then its bytes. False when the pipe or socket closed or failed (EINTR
// retried); writing to a socket whose peer is gone fails with EPIPE instead of raising SIGPIPE.
bool send(int fd, const std::string& message);
bool receive(int fd, std::string& message);

}  // namespace cvpipe::wire
