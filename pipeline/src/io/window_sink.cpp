// Sink `window`: shows frames with cv::imshow (`--show`). Without a usable display (no $DISPLAY /
// $WAYLAND_DISPLAY, or a local X socket that does not exist) it warns once and discards frames,
// because OpenCV's Qt/GTK back ends abort the process when they cannot reach a display.
// $QT_QPA_PLATFORM (e.g. "offscreen") is trusted as given.
#include <cstdlib>
#include <filesystem>

#include <opencv2/highgui.hpp>

#include "io/image_convert.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<ParamSpec>& window_sink_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::string("title", std::string("cvpipe"), "window title"),
      ParamSpec::integer("wait_ms", 1, 0, 60000, "milliseconds to wait after each frame (cv::waitKey); 0: until a key is pressed"),
  };
  return params;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// "" when a display looks usable, else why not.
std::string display_problem() {
  if (!env("QT_QPA_PLATFORM").empty()) return {};
  const std::string wayland = env("WAYLAND_DISPLAY");
  if (!wayland.empty()) {
    std::error_code ec;
    const fs::path sock = wayland[0] == '/' ? fs::path(wayland) : fs::path(env("XDG_RUNTIME_DIR")) / wayland;
    if (fs::exists(sock, ec)) return {};
  }
  const std::string x = env("DISPLAY");
  if (x.empty()) return "no display ($DISPLAY is not set)";
  // Local displays (":0", "unix:0.0") must have their socket; remote ones are trusted.
  std::string rest;
  if (x[0] == ':') rest = x.substr(1);
  else if (x.rfind("unix:", 0) == 0) rest = x.substr(5);
  else return {};
  const std::string number = rest.substr(0, rest.find('.'));
  std::error_code ec;
  if (fs::exists("/tmp/.X11-unix/X" + number, ec)) return {};
  return "display '" + x + "' is not reachable";
}

class WindowSink final : public Sink {
 public:
  explicit WindowSink(const Params& p) : title_(p.get_string("title")), wait_ms_(static_cast<int>(p.get_int("wait_ms"))) {}
  ~WindowSink() override { close(); }

  Status open(const StreamInfo&) override {
    if (std::string why = display_problem(); !why.empty()) {
      warn("window sink: " + why + "; frames are not shown");
      return {};
    }
    try {
      cv::namedWindow(title_, cv::WINDOW_AUTOSIZE | cv::WINDOW_KEEPRATIO);
      active_ = true;
    } catch (const cv::Exception& e) {
      warn("window sink: cannot open a window (" + e.err + "); frames are not shown");
    }
    return {};
  }

  Status write(const Frame& frame) override {
    if (!active_ || frame.image.empty()) return {};
    try {
      cv::imshow(title_, to_bgr8(frame.image));
      cv::waitKey(wait_ms_);
      ++written_;
    } catch (const cv::Exception& e) {
      active_ = false;
      warn("window sink: showing frames failed (" + e.err + "); frames are no longer shown");
    }
    return {};
  }

  Status close() override {
    if (!active_) return {};
    active_ = false;
    try {
      cv::destroyWindow(title_);
      cv::waitKey(1);
    } catch (const cv::Exception&) {
    }
    return {};
  }

  std::string describe() const override { return "window:" + title_; }
  int64_t written() const override { return written_; }

 private:
  std::string title_;
  int wait_ms_;
  bool active_ = false;
  int64_t written_ = 0;
};

Status make(const Params& p, std::unique_ptr<Sink>& out) {
  out = std::make_unique<WindowSink>(p);
  return {};
}

}  // namespace

const SinkType& window_sink_type() {
  static const SinkType type{"window", &window_sink_params, &make};
  return type;
}

}  // namespace cvpipe::io
