// Status: the result of every call across the plugin boundary (no exception crosses it).
// A default-constructed Status is success. Cheap to copy; the message is for a human.
#pragma once
#include <string>
#include <utility>

namespace cvpipe {

enum class StatusCode {
  ok = 0,
  invalid_argument,  // bad parameter or input the user can fix
  not_found,         // a file, model or name that does not exist
  io_error,          // reading or writing failed (corrupt file, device gone)
  runtime_error,     // anything else that went wrong while running
  unsupported,       // the stage cannot do what was asked (wrong kind, format)
  end_of_stream,     // a source has no more frames: not an error
  cancelled,         // stopped by the user (Ctrl-C)
};

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status success() { return {}; }
  static Status invalid(std::string m) { return {StatusCode::invalid_argument, std::move(m)}; }
  static Status not_found(std::string m) { return {StatusCode::not_found, std::move(m)}; }
  static Status io(std::string m) { return {StatusCode::io_error, std::move(m)}; }
  static Status runtime(std::string m) { return {StatusCode::runtime_error, std::move(m)}; }
  static Status unsupported(std::string m) { return {StatusCode::unsupported, std::move(m)}; }
  static Status end_of_stream() { return {StatusCode::end_of_stream, "end of stream"}; }

  bool ok() const { return code_ == StatusCode::ok; }
  bool is_end() const { return code_ == StatusCode::end_of_stream; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// Evaluates expr (a Status); returns it from the enclosing function when it is not ok.
#define CVPIPE_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::cvpipe::Status cvpipe_status_ = (expr);   \
    if (!cvpipe_status_.ok()) return cvpipe_status_; \
  } while (0)

}  // namespace cvpipe
