// Source `stream`: a network stream (rtsp://, http(s)://, rtmp://, udp://, tcp:// ...) or any
// URL FFmpeg understands, opened with bounded open/read timeouts so a dead server ends the run
// instead of hanging it; a stream that stalls after its first frame is an error, not its end;
// Ctrl-C ends the wait for a server at once.
#include "io/capture_source.hpp"
#include "io/io_types.hpp"
#include "io/retrying_source.hpp"

namespace cvpipe::io {

namespace {

const std::vector<ParamSpec>& stream_source_params() {
  static const std::vector<ParamSpec> params = with_retry_params({
      ParamSpec::string("url", std::nullopt, "stream URL: rtsp://, http://, https://, rtmp://, udp:// ..."),
      ParamSpec::integer("timeout_ms", 10000, 100, 600000, "give up opening or reading after this long"),
      ParamSpec::boolean("live", true, "a live stream: frames may be dropped, no frame count"),
  });
  return params;
}

Status make(const Params& p, std::unique_ptr<Source>& out) {
  const std::string url = p.get_string("url");
  if (url.empty()) return Status::invalid("stream: 'url' is empty");
  const int timeout = static_cast<int>(p.get_int("timeout_ms"));
  CaptureConfig c;
  c.kind = "stream";
  c.target = url;
  c.source_name = url;
  c.live = p.get_bool("live");
  c.read_timeout_ms = timeout;
  c.open_timeout_ms = timeout + 2000;  // FFmpeg's own timeout normally ends it first; this is the backstop
  c.open = [url, timeout](cv::VideoCapture& cap, std::string& why) {
    const std::vector<int> props = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, timeout, cv::CAP_PROP_READ_TIMEOUT_MSEC, timeout};
    if (cap.open(url, cv::CAP_FFMPEG, props)) return true;
    why = "FFmpeg could not open the stream within " + std::to_string(timeout) + " ms (server down, wrong URL or format?)";
    return false;
  };
  out = std::make_unique<CaptureSource>(std::move(c));
  return {};
}

}  // namespace

const SourceType& stream_source_type() {
  static const SourceType type{"stream", &stream_source_params, &make};
  return type;
}

}  // namespace cvpipe::io
