// Sink `video`: frames into one video file with cv::VideoWriter (FFmpeg). The codec follows the
// extension (.mp4/.m4v/.mov: avc1, else mp4v; .avi: MJPG, else XVID; .mkv: XVID, else MJPG;
// .webm: VP80, else VP90) unless `codec` names a FourCC. The file is written as
// STEM.partial.EXT and renamed on close, so the final name only ever holds a finished video:
// before the rename the file is opened again and must report every written frame (cv::VideoWriter
// does not report failed writes, so a full disk or a file-size limit shows only there); a file that
// does not is removed and the close fails.
// Frames are converted to 8-bit BGR and resized to the first frame's size (rounded down to even
// sides, which 4:2:0 codecs need). fps: the option, else the source's, else 25.
#include <algorithm>
#include <filesystem>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "io/atomic_file.hpp"
#include "io/image_convert.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<ParamSpec>& video_sink_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::path("path", std::nullopt, false, "output video file: .mp4 .m4v .mov .avi .mkv or .webm"),
      ParamSpec::number("fps", 0.0, 0.0, 1000.0, "frame rate; 0: the source's, else 25"),
      ParamSpec::string("codec", std::string("auto"), "FourCC such as mp4v, avc1, MJPG, XVID, VP80; auto: from the extension"),
  };
  return params;
}

std::vector<std::string> codecs_for(const std::string& ext) {
  if (ext == ".mp4" || ext == ".m4v" || ext == ".mov") return {"avc1", "mp4v"};
  if (ext == ".avi") return {"MJPG", "XVID"};
  if (ext == ".mkv") return {"XVID", "MJPG"};
  if (ext == ".webm") return {"VP80", "VP90"};
  return {};
}

class VideoSink final : public Sink {
 public:
  explicit VideoSink(const Params& p) : path_(p.get_string("path")), fps_opt_(p.get_number("fps")) {
    partial_ = partial_path_for(path_);
    const std::string codec = p.get_string("codec");
    codecs_ = codec == "auto" ? codecs_for(lower_extension(path_.string())) : std::vector<std::string>{codec};
  }
  ~VideoSink() override { close(); }

  Status open(const StreamInfo& info) override {
    fps_ = fps_opt_ > 0 ? fps_opt_ : (info.fps > 0 ? info.fps : 25.0);
    if (codecs_.empty())
      return Status::invalid("video sink: cannot tell the codec from '" + path_.string() +
                             "': use .mp4 .m4v .mov .avi .mkv or .webm, or set 'codec'");
    for (const auto& c : codecs_)
      if (c.size() != 4) return Status::invalid("video sink: codec '" + c + "' is not a 4-character FourCC (e.g. mp4v, MJPG)");
    if (Status st = ensure_folder(path_.parent_path()); !st.ok()) return Status::io("video sink: " + st.message());
    if (Status st = check_writable(path_); !st.ok()) return Status::io("video sink: " + st.message());
    opened_ = true;
    return {};
  }

  Status write(const Frame& frame) override {
    if (frame.image.empty())
      return Status::invalid("video sink: frame " + std::to_string(frame.seq) + " has no image to write");
    try {
      cv::Mat bgr = to_bgr8(frame.image);
      if (!opened_) return Status::runtime("video sink: write before open");
      if (!start_error_.ok()) return start_error_;
      if (!writer_) {
        start_error_ = start(bgr.size());
        if (!start_error_.ok()) return start_error_;
      }
      if (bgr.size() != size_) {
        cv::Mat resized;
        cv::resize(bgr, resized, size_, 0, 0, cv::INTER_AREA);
        bgr = resized;
      }
      writer_->write(bgr);
    } catch (const cv::Exception& e) {
      return Status::io("video sink '" + path_.string() + "': writing frame " + std::to_string(frame.seq) + " failed: " + e.err);
    }
    ++written_;
    return {};
  }

  Status close() override {
    if (closed_) return {};
    closed_ = true;
    if (!writer_) {
      if (written_ == 0 && opened_) warn("video sink: no frames reached it; '" + path_.string() + "' was not written");
      return {};
    }
    try {
      writer_->release();
    } catch (const cv::Exception& e) {
      writer_.reset();
      std::error_code ec;
      fs::remove(partial_, ec);
      return Status::io("video sink '" + path_.string() + "': finishing the file failed: " + e.err);
    }
    writer_.reset();
    if (Status st = check_complete(); !st.ok()) {
      std::error_code ec;
      fs::remove(partial_, ec);
      return st;
    }
    if (Status st = commit_file(partial_, path_); !st.ok()) return Status::io("video sink: " + st.message());
    return {};
  }

  std::string describe() const override { return "video:" + path_.string(); }
  int64_t written() const override { return written_; }

 private:
  // The finished file reads back with every frame written: complete files report exact counts in
  // all four containers, and their last frame decodes after a seek (a cut-off MKV still reports the
  // count it wrote at its start, but its last frame is gone).
  Status check_complete() const {
    const std::string why = " (disk full or a file-size limit?); '" + path_.string() + "' was not written";
    cv::VideoCapture back;
    try {
      back.open(partial_.string(), cv::CAP_FFMPEG);
    } catch (const cv::Exception&) {
    }
    if (!back.isOpened()) return Status::io("video sink: the finished video cannot be read back" + why);
    const double frames = back.get(cv::CAP_PROP_FRAME_COUNT);
    if (frames != static_cast<double>(written_))
      return Status::io("video sink: the finished video holds " + std::to_string(std::max<int64_t>(0, static_cast<int64_t>(frames))) +
                        " of the " + std::to_string(written_) + " frames written" + why);
    cv::Mat last;
    bool read = false;
    try {
      read = back.set(cv::CAP_PROP_POS_FRAMES, frames - 1) && back.read(last) && !last.empty();
    } catch (const cv::Exception&) {
    }
    if (!read) return Status::io("video sink: the last frame of the finished video cannot be read back" + why);
    return {};
  }

  Status start(cv::Size size) {
    size_ = cv::Size(std::max(2, size.width & ~1), std::max(2, size.height & ~1));
    std::string tried;
    for (const auto& c : codecs_) {
      std::error_code ec;
      fs::remove(partial_, ec);
      auto w = std::make_unique<cv::VideoWriter>();
      const int fourcc = cv::VideoWriter::fourcc(c[0], c[1], c[2], c[3]);
      if (w->open(partial_.string(), cv::CAP_FFMPEG, fourcc, fps_, size_, true) && w->isOpened()) {
        writer_ = std::move(w);
        return {};
      }
      tried += (tried.empty() ? "" : ", ") + c;
    }
    std::error_code ec;
    fs::remove(partial_, ec);
    return Status::io("video sink: cannot open a video writer for '" + path_.string() + "' (tried codec " + tried + ")");
  }

  fs::path path_, partial_;
  double fps_opt_;
  double fps_ = 25.0;
  std::vector<std::string> codecs_;
  std::unique_ptr<cv::VideoWriter> writer_;
  cv::Size size_;
  int64_t written_ = 0;
  bool opened_ = false;
  Status start_error_;  // a writer that could not start fails every frame the same way
  bool closed_ = false;
};

Status make(const Params& p, std::unique_ptr<Sink>& out) {
  out = std::make_unique<VideoSink>(p);
  return {};
}

}  // namespace

const SinkType& video_sink_type() {
  static const SinkType type{"video", &video_sink_params, &make};
  return type;
}

}  // namespace cvpipe::io
