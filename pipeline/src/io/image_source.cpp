// Source `images`: still images from a file, a folder or a glob (see image_list.hpp), read with
// read_image (cvpipe/image_file.hpp: cv::imread + a truncated-JPEG check) in name order,
// optionally looping. `read: auto` (the default) keeps a file's channel count: a gray file gives
// 1-channel frames, a colour one 3-channel BGR, both 8-bit. A file that cannot be decoded is an
// io_error naming it; the next read goes on with the next file. Frame.source is the file name,
// meta["path"] the full path; pts_ns = index / fps when `fps` is set, else 0. With shard_count > 1
// only files i % shard_count == shard_index are read (index stays the place in the whole list).
#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cvpipe/image_file.hpp"
#include "io/image_list.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<ParamSpec>& image_source_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::path("path", std::nullopt, true, "an image file, a folder of images, or a glob such as photos/*.jpg"),
      ParamSpec::string("include", std::string(), "comma-separated file-name patterns to keep, e.g. 'fruits.jpg,*.png'; empty: all"),
      ParamSpec::boolean("loop", false, "start again from the first file after the last one"),
      ParamSpec::choice("read", "auto", {"auto", "color", "gray", "unchanged"},
                        "auto: 8-bit with the file's channels (gray stays gray, colour is BGR); color: 8-bit BGR; "
                        "gray: 8-bit gray; unchanged: as stored (keeps 16-bit; alpha goes to plane 'alpha')"),
      ParamSpec::number("fps", 0.0, 0.0, 1000.0, "frame rate for timestamps and video sinks; 0: stills (pts 0)"),
      ParamSpec::integer("shard_count", 1, 1, 1e6, "read only every shard_count-th file (set by `mpirun cvpipe run`)"),
      ParamSpec::integer("shard_index", 0, 0, 1e6, "which of them: files i with i % shard_count == shard_index"),
  };
  return params;
}

class ImageSource final : public Source {
 public:
  explicit ImageSource(const Params& p)
      : path_(p.get_string("path")), include_(p.get_string("include")), loop_(p.get_bool("loop")),
        fps_(p.get_number("fps")), shard_count_(p.get_int("shard_count")), shard_index_(p.get_int("shard_index")) {
    const std::string& mode = p.get_string("read");
    flags_ = mode == "gray"        ? cv::IMREAD_GRAYSCALE
             : mode == "unchanged" ? cv::IMREAD_UNCHANGED
             : mode == "color"     ? cv::IMREAD_COLOR
                                   : cv::IMREAD_ANYCOLOR;  // 8-bit, 1 or 3 channels as the file has
  }

  Status open(StreamInfo& info) override {
    if (shard_index_ >= shard_count_)
      return Status::invalid("images: shard_index " + std::to_string(shard_index_) + " must be below shard_count " +
                             std::to_string(shard_count_));
    CVPIPE_RETURN_IF_ERROR(list_image_files(path_, include_, files_));
    if (shard_count_ > 1) {  // keep this shard's files, remembering their places in the whole list
      std::vector<fs::path> mine;
      for (std::size_t i = static_cast<std::size_t>(shard_index_); i < files_.size(); i += static_cast<std::size_t>(shard_count_))
        mine.push_back(files_[i]);
      files_ = std::move(mine);
    }
    info = StreamInfo{};
    info.fps = fps_;
    info.frame_count = loop_ ? -1 : static_cast<int64_t>(files_.size());
    return {};
  }

  Status read(Frame& frame) override {
    if (next_ >= files_.size()) {
      if (!loop_ || files_.empty()) return Status::end_of_stream();
      if (good_in_pass_ == 0) {
        warn("images: no file of '" + path_ + "' could be read; stopping the loop");
        return Status::end_of_stream();
      }
      next_ = 0;
      good_in_pass_ = 0;
    }
    const fs::path& file = files_[next_++];
    cv::Mat image;
    // A listed file that has gone since open() is a runtime error of this item too (io_error).
    if (Status s = read_image(file, flags_, image, max_pixels_); !s.ok()) return Status::io(s.message());
    frame = Frame{};
    if (image.channels() == 4) {
      std::vector<cv::Mat> parts;
      cv::split(image, parts);
      frame.planes["alpha"] = parts[3];
      cv::cvtColor(image, image, cv::COLOR_BGRA2BGR);
    } else if (image.channels() == 2) {
      cv::Mat parts[2];
      cv::split(image, parts);
      frame.planes["alpha"] = parts[1];
      image = parts[0];
    }
    frame.image = image;
    frame.source = file.filename().string();
    frame.meta["path"] = file.string();
    const int64_t index = count_ * shard_count_ + shard_index_;  // in the whole list
    if (fps_ > 0) frame.pts_ns = static_cast<int64_t>(std::llround(static_cast<double>(index) * 1e9 / fps_));
    ++count_;
    ++good_in_pass_;
    return {};
  }

  std::string describe() const override {
    return "images:" + path_ + (files_.empty() ? std::string() : " (" + std::to_string(files_.size()) + " files)");
  }

 private:
  std::string path_, include_;
  bool loop_;
  double fps_;
  int64_t shard_count_, shard_index_;
  int flags_;
  std::vector<fs::path> files_;
  size_t next_ = 0;
  int64_t count_ = 0;
  int64_t good_in_pass_ = 0;
};

Status make(const Params& p, std::unique_ptr<Source>& out) {
  out = std::make_unique<ImageSource>(p);
  return {};
}

}  // namespace

const SourceType& images_source_type() {
  static const SourceType type{"images", &image_source_params, &make};
  return type;
}

}  // namespace cvpipe::io
