// CaptureSource: see capture_source.hpp.
#include "io/capture_source.hpp"

#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <opencv2/imgproc.hpp>

namespace cvpipe::io {

CaptureSource::~CaptureSource() { close(); }

namespace {
// One open attempt, shared by the thread that runs it and the one waiting for it.
struct OpenAttempt {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false, ok = false;
  std::string why;
  std::shared_ptr<cv::VideoCapture> cap = std::make_shared<cv::VideoCapture>();

  void run(const std::function<bool(cv::VideoCapture&, std::string&)>& open) {
    bool opened = false;
    std::string reason;
    try {
      opened = open(*cap, reason) && cap->isOpened();
    } catch (const cv::Exception& e) {
      reason = e.err;
    }
    std::lock_guard lock(mutex);
    done = true;
    ok = opened;
    why = std::move(reason);
    done_cv.notify_all();
  }
};
}  // namespace

Status CaptureSource::open_capture(std::shared_ptr<cv::VideoCapture>& out) {
  auto attempt = std::make_shared<OpenAttempt>();
  const std::string failed = cfg_.kind + ": cannot open '" + cfg_.target + "'";
  if (cfg_.open_timeout_ms <= 0) {
    attempt->run(cfg_.open);
  } else {
    std::thread([attempt, open = cfg_.open] { attempt->run(open); }).detach();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(cfg_.open_timeout_ms);
    std::unique_lock lock(attempt->mutex);
    while (!attempt->done) {
      if (stop_flag_ && stop_flag_->load()) return Status(StatusCode::cancelled, failed + ": interrupted while opening");
      if (std::chrono::steady_clock::now() >= deadline)
        return Status::io(failed + ": nothing within " + std::to_string(cfg_.open_timeout_ms) +
                          " ms (open_timeout_ms; a pipeline without frames or a stalled server?)");
      attempt->done_cv.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  if (!attempt->ok) return Status::io(failed + (attempt->why.empty() ? std::string() : ": " + attempt->why));
  out = attempt->cap;
  return {};
}

Status CaptureSource::open(StreamInfo& info) {
  cap_.reset();
  CVPIPE_RETURN_IF_ERROR(open_capture(cap_));
  info = StreamInfo{};
  try {
    fps_ = cap_->get(cv::CAP_PROP_FPS);
    if (!(fps_ > 0 && fps_ < 1000)) fps_ = 0;
    const int w = static_cast<int>(cap_->get(cv::CAP_PROP_FRAME_WIDTH));
    const int h = static_cast<int>(cap_->get(cv::CAP_PROP_FRAME_HEIGHT));
    if (w > 0 && h > 0) info.size = cv::Size(w, h);
    if (!cfg_.live) {
      const double n = cap_->get(cv::CAP_PROP_FRAME_COUNT);
      if (n > 0 && n < 1e12) expected_ = static_cast<int64_t>(n);
    }
  } catch (const cv::Exception&) {
  }
  info.fps = fps_;
  info.frame_count = cfg_.loop ? -1 : expected_;
  info.live = cfg_.live;
  // Opened again after a loss (io/retrying_source.hpp): reading starts over, while live
  // timestamps keep counting from the first open so they stay monotonic.
  ended_ = false;
  index_ = 0;
  if (!started_) start_ = std::chrono::steady_clock::now();
  started_ = true;
  return {};
}

Status CaptureSource::close() {
  if (cap_) {
    try {
      cap_->release();
    } catch (const cv::Exception&) {
    }
    cap_.reset();
  }
  pool_.clear();
  return {};
}

Status CaptureSource::read_one(cv::Mat& image) {
  try {
    if (!cap_->read(image)) image.release();
  } catch (const cv::Exception& e) {
    image.release();
    return Status::io(cfg_.kind + " '" + cfg_.target + "': decoding failed: " + e.err);
  }
  return {};
}

int64_t CaptureSource::timestamp_ns() {
  int64_t pts = -1;
  if (!cfg_.live) {
    double ms = -1;
    try {
      ms = cap_->get(cv::CAP_PROP_POS_MSEC);
    } catch (const cv::Exception&) {
    }
    if (std::isfinite(ms) && ms >= 0) pts = pass_offset_ns_ + static_cast<int64_t>(std::llround(ms * 1e6));
    if (pts <= last_pts_ns_ && fps_ > 0) pts = static_cast<int64_t>(std::llround(static_cast<double>(total_) * 1e9 / fps_));
  } else {
    pts = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_).count();
  }
  if (pts <= last_pts_ns_) pts = last_pts_ns_ + 1;
  return pts;
}

Status CaptureSource::read(Frame& frame) {
  if (ended_ || !cap_) return Status::end_of_stream();
  cv::Mat image = pool_.acquire();
  const auto asked = std::chrono::steady_clock::now();
  Status st = read_one(image);
  if (st.ok() && image.empty() && cfg_.read_timeout_ms > 0 && total_ > 0 &&
      std::chrono::steady_clock::now() - asked >= std::chrono::milliseconds(cfg_.read_timeout_ms * 9 / 10)) {
    ended_ = true;
    return Status::io(cfg_.kind + " '" + cfg_.target + "': no data for " + std::to_string(cfg_.read_timeout_ms) +
                      " ms after frame " + std::to_string(total_ - 1) + ": the stream stalled (timeout_ms)");
  }
  if (st.ok() && image.empty() && cfg_.loop && index_ > 0) {
    // Rewind: seek when the backend can, else reopen.
    bool rewound = false;
    try {
      rewound = cap_->set(cv::CAP_PROP_POS_FRAMES, 0);
    } catch (const cv::Exception&) {
    }
    if (!rewound) {
      std::string why;
      try {
        rewound = cfg_.open(*cap_, why) && cap_->isOpened();
      } catch (const cv::Exception&) {
        rewound = false;
      }
    }
    if (rewound) {
      pass_offset_ns_ = last_pts_ns_ + 1;
      index_ = 0;
      st = read_one(image);
    }
  }
  if (!st.ok()) {
    ended_ = true;
    return st;
  }
  if (image.empty()) {
    ended_ = true;
    if (total_ == 0)
      return Status::io(cfg_.kind + " '" + cfg_.target + "': no frame could be read" +
                        (cfg_.live ? std::string(" (device or stream delivered nothing)")
                                   : std::string(" (corrupt, truncated or unsupported file)")));
    if (!cfg_.live && !cfg_.loop && expected_ > 0 && index_ < expected_ - expected_ / 50 - 1)
      warn(cfg_.kind + " '" + cfg_.target + "' ended early after " + std::to_string(index_) + " of " +
           std::to_string(expected_) + " frames (truncated or corrupt file?)");
    return Status::end_of_stream();
  }
  pool_.keep(image);
  if (cfg_.gray && image.channels() != 1) cv::cvtColor(image, image, image.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  else if (image.channels() == 4) cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
  frame = Frame{};
  frame.image = image;
  frame.source = cfg_.source_name;
  frame.pts_ns = timestamp_ns();
  frame.meta["frame_index"] = index_;
  last_pts_ns_ = frame.pts_ns;
  ++index_;
  ++total_;
  return {};
}

}  // namespace cvpipe::io
