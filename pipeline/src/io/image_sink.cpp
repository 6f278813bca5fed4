// Sink `images`: one file per frame in a folder (created). Names come from the frame's source
// file name (fruits.jpg -> fruits.png; a video's frames: vtest_000012.png from
// meta["frame_index"]), else frame_%06d from seq; a name already written in this run gets
// "_SEQ" appended instead of overwriting. Each file is encoded in memory and written atomically.
#include <cstdio>
#include <filesystem>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "io/atomic_file.hpp"
#include "io/image_convert.hpp"
#include "io/io_types.hpp"

namespace cvpipe::io {

namespace fs = std::filesystem;

namespace {

const std::vector<ParamSpec>& image_sink_params() {
  static const std::vector<ParamSpec> params = {
      ParamSpec::path("path", std::nullopt, false, "output folder (created when missing)"),
      ParamSpec::choice("ext", "png", {"png", "jpg", "jpeg", "bmp", "tif", "tiff", "webp", "ppm", "pgm"},
                        "file format; png, tif and ppm/pgm keep 16-bit images"),
      ParamSpec::integer("jpeg_quality", 95, 0, 100, "JPEG quality (jpg)"),
      ParamSpec::integer("png_compression", 3, 0, 9, "PNG compression level (png)"),
      ParamSpec::integer("webp_quality", 90, 1, 100, "WebP quality (webp; 100: lossless)"),
      ParamSpec::choice("name", "source", {"source", "seq"}, "name files after the source file (frame_N without one) or always frame_N"),
  };
  return params;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80) ? static_cast<char>(c) : '_';
  while (!out.empty() && out.front() == '.') out.erase(out.begin());
  return out;
}

std::string numbered(const std::string& stem, int64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "_%06lld", static_cast<long long>(n));
  return stem + buf;
}

class ImageSink final : public Sink {
 public:
  explicit ImageSink(const Params& p)
      : dir_(p.get_string("path")), ext_("." + p.get_string("ext")), by_source_(p.get_string("name") == "source") {
    if (ext_ == ".jpeg") ext_ = ".jpg";
    if (ext_ == ".jpg") params_ = {cv::IMWRITE_JPEG_QUALITY, static_cast<int>(p.get_int("jpeg_quality"))};
    if (ext_ == ".png") params_ = {cv::IMWRITE_PNG_COMPRESSION, static_cast<int>(p.get_int("png_compression"))};
    if (ext_ == ".webp") params_ = {cv::IMWRITE_WEBP_QUALITY, static_cast<int>(p.get_int("webp_quality"))};
  }

  Status open(const StreamInfo&) override {
    if (Status st = ensure_folder(dir_); !st.ok()) return Status::io("images sink: " + st.message());
    return {};
  }

  Status write(const Frame& frame) override {
    if (frame.image.empty())
      return Status::invalid("images sink: frame " + std::to_string(frame.seq) + " has no image to write");
    const fs::path file = dir_ / (file_stem(frame) + ext_);
    std::vector<uchar> bytes;
    try {
      if (!cv::imencode(ext_, for_encoder(frame.image, ext_), bytes, params_))
        return Status::io("images sink: cannot encode frame " + std::to_string(frame.seq) + " as " + ext_);
    } catch (const cv::Exception& e) {
      return Status::io("images sink: cannot encode frame " + std::to_string(frame.seq) + " as " + ext_ + ": " + e.err);
    }
    if (Status st = write_file_atomic(file, bytes.data(), bytes.size()); !st.ok()) return Status::io("images sink: " + st.message());
    ++written_;
    return {};
  }

  Status close() override { return {}; }
  std::string describe() const override { return "images:" + dir_.string(); }
  int64_t written() const override { return written_; }

 private:
  std::string file_stem(const Frame& frame) {
    std::string stem;
    if (by_source_ && !frame.source.empty()) {
      stem = sanitize(fs::path(frame.source).stem().string());
      if (auto it = frame.meta.find("frame_index"); !stem.empty() && it != frame.meta.end())
        if (auto i = std::get_if<int64_t>(&it->second)) stem = numbered(stem, *i);
    }
    if (stem.empty()) stem = numbered("frame", frame.seq);
    std::string name = stem;
    for (int64_t k = frame.seq; used_.count(name) != 0; ++k) name = numbered(stem, k);
    used_.insert(name);
    return name;
  }

  fs::path dir_;
  std::string ext_;
  bool by_source_;
  std::vector<int> params_;
  std::set<std::string> used_;
  int64_t written_ = 0;
};

Status make(const Params& p, std::unique_ptr<Sink>& out) {
  out = std::make_unique<ImageSink>(p);
  return {};
}

}  // namespace

const SinkType& images_sink_type() {
  static const SinkType type{"images", &image_sink_params, &make};
  return type;
}

}  // namespace cvpipe::io
