// The isolated stage's byte form: see wire.hpp.
#include "isolation/wire.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cvpipe::wire {

namespace {

constexpr int64_t kMaxMessage = int64_t{4} << 30;  // 4 GiB: larger is a corrupt size
constexpr int64_t kMaxCount = int64_t{1} << 24;    // elements of any list

// On a socket, a peer that is gone is an error (EPIPE), never a SIGPIPE.
bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK) w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool read_all(int fd, char* p, size_t n) {
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

void Writer::str(const std::string& s) {
  i64(static_cast<int64_t>(s.size()));
  raw(s.data(), s.size());
}

void Writer::mat(const cv::Mat& m) {
  if (m.empty() || m.dims > 2) {
    i64(0);
    return;
  }
  const cv::Mat c = m.isContinuous() ? m : m.clone();
  i64(1);
  i64(c.rows);
  i64(c.cols);
  i64(c.type());
  raw(c.data, c.total() * c.elemSize());
}

void Writer::frame(const Frame& f) {
  mat(f.image);
  i64(f.seq);
  i64(f.pts_ns);
  str(f.source);
  i64(static_cast<int64_t>(f.detections.size()));
  for (const auto& d : f.detections) {
    f64(d.box.x), f64(d.box.y), f64(d.box.width), f64(d.box.height);
    i64(d.class_id), str(d.label), f64(d.score), i64(d.track_id);
  }
  i64(static_cast<int64_t>(f.labels.size()));
  for (const auto& l : f.labels) i64(l.id), str(l.name), f64(l.score);
  i64(static_cast<int64_t>(f.planes.size()));
  for (const auto& [name, m] : f.planes) str(name), mat(m);
  i64(static_cast<int64_t>(f.meta.size()));
  for (const auto& [name, v] : f.meta) {
    str(name);
    u8(static_cast<uint8_t>(v.index()));
    if (auto i = std::get_if<int64_t>(&v)) i64(*i);
    else if (auto d = std::get_if<double>(&v)) f64(*d);
    else str(std::get<std::string>(v));
  }
}

void Writer::frames(const std::vector<Frame>& fs) {
  i64(static_cast<int64_t>(fs.size()));
  for (const auto& f : fs) frame(f);
}

void Writer::params(const Params& p) {
  i64(static_cast<int64_t>(p.values().size()));
  for (const auto& [name, v] : p.values()) {
    str(name);
    u8(static_cast<uint8_t>(v.index()));
    if (auto b = std::get_if<bool>(&v)) u8(*b ? 1 : 0);
    else if (auto i = std::get_if<int64_t>(&v)) i64(*i);
    else if (auto d = std::get_if<double>(&v)) f64(*d);
    else str(std::get<std::string>(v));
  }
}

void Writer::context(const StageContext& c) {
  str(c.instance_name);
  str(c.config_dir.string());
  i64(c.threads);
  u8(c.quiet ? 1 : 0);
  int64_t level = -1;  // the most verbose level the host's logger shows; -1: no logger
  for (LogLevel l : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug})
    if (c.logger && c.logger->enabled(l)) level = static_cast<int64_t>(l);
  i64(level);
}

void Writer::stream(const StreamInfo& s) {
  i64(s.size.width), i64(s.size.height), i64(s.type), f64(s.fps), i64(s.frame_count), u8(s.live ? 1 : 0);
}

void Writer::status(const Status& s) {
  i64(static_cast<int64_t>(s.code()));
  str(s.message());
}

bool Reader::raw(void* p, size_t n) {
  if (n > bytes_.size() - at_) return false;
  std::memcpy(p, bytes_.data() + at_, n);
  at_ += n;
  return true;
}

bool Reader::str(std::string& s) {
  int64_t n = 0;
  if (!i64(n) || n < 0 || static_cast<uint64_t>(n) > bytes_.size() - at_) return false;
  s.assign(bytes_.data() + at_, static_cast<size_t>(n));
  at_ += static_cast<size_t>(n);
  return true;
}

bool Reader::mat(cv::Mat& m) {
  int64_t present = 0, rows = 0, cols = 0, type = 0;
  if (!i64(present)) return false;
  if (present == 0) {
    m = cv::Mat();
    return true;
  }
  if (!i64(rows) || !i64(cols) || !i64(type)) return false;
  if (rows <= 0 || cols <= 0 || rows > (1 << 20) || cols > (1 << 20) || type < 0 || type >= CV_MAKETYPE(CV_DEPTH_MAX, CV_CN_MAX))
    return false;
  const size_t elem = CV_ELEM_SIZE(static_cast<int>(type));
  const uint64_t size = static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols) * elem;
  if (size > bytes_.size() - at_) return false;
  m.create(static_cast<int>(rows), static_cast<int>(cols), static_cast<int>(type));
  return raw(m.data, size);
}

bool Reader::frame(Frame& f) {
  int64_t n = 0;
  if (!mat(f.image) || !i64(f.seq) || !i64(f.pts_ns) || !str(f.source) || !i64(n) || n < 0 || n > kMaxCount) return false;
  f.detections.resize(static_cast<size_t>(n));
  for (auto& d : f.detections) {
    double x, y, w, h, score;
    int64_t cls, track;
    if (!f64(x) || !f64(y) || !f64(w) || !f64(h) || !i64(cls) || !str(d.label) || !f64(score) || !i64(track)) return false;
    d.box = cv::Rect2f(static_cast<float>(x), static_cast<float>(y), static_cast<float>(w), static_cast<float>(h));
    d.class_id = static_cast<int>(cls);
    d.score = static_cast<float>(score);
    d.track_id = static_cast<int>(track);
  }
  if (!i64(n) || n < 0 || n > kMaxCount) return false;
  f.labels.resize(static_cast<size_t>(n));
  for (auto& l : f.labels) {
    int64_t id;
    double score;
    if (!i64(id) || !str(l.name) || !f64(score)) return false;
    l.id = static_cast<int>(id);
    l.score = static_cast<float>(score);
  }
  if (!i64(n) || n < 0 || n > kMaxCount) return false;
  f.planes.clear();
  for (int64_t i = 0; i < n; ++i) {
    std::string name;
    cv::Mat m;
    if (!str(name) || !mat(m)) return false;
    f.planes[name] = m;
  }
  if (!i64(n) || n < 0 || n > kMaxCount) return false;
  f.meta.clear();
  for (int64_t i = 0; i < n; ++i) {
    std::string name;
    uint8_t kind;
    if (!str(name) || !u8(kind)) return false;
    if (kind == 0) {
      int64_t v;
      if (!i64(v)) return false;
      f.meta[name] = v;
    } else if (kind == 1) {
      double v;
      if (!f64(v)) return false;
      f.meta[name] = v;
    } else if (kind == 2) {
      std::string v;
      if (!str(v)) return false;
      f.meta[name] = v;
    } else {
      return false;
    }
  }
  return true;
}

bool Reader::frames(std::vector<Frame>& fs) {
  int64_t n = 0;
  if (!i64(n) || n < 0 || n > kMaxCount) return false;
  fs.resize(static_cast<size_t>(n));
  for (auto& f : fs)
    if (!frame(f)) return false;
  return true;
}

bool Reader::params(Params& p) {
  int64_t n = 0;
  if (!i64(n) || n < 0 || n > kMaxCount) return false;
  for (int64_t i = 0; i < n; ++i) {
    std::string name;
    uint8_t kind;
    if (!str(name) || !u8(kind)) return false;
    if (kind == 0) {
      uint8_t b;
      if (!u8(b)) return false;
      p.set(name, b != 0);
    } else if (kind == 1) {
      int64_t v;
      if (!i64(v)) return false;
      p.set(name, v);
    } else if (kind == 2) {
      double v;
      if (!f64(v)) return false;
      p.set(name, v);
    } else if (kind == 3) {
      std::string v;
      if (!str(v)) return false;
      p.set(name, v);
    } else {
      return false;
    }
  }
  return true;
}

bool Reader::context(StageContext& c, int64_t& log_level) {
  std::string dir;
  int64_t threads;
  uint8_t quiet;
  if (!str(c.instance_name) || !str(dir) || !i64(threads) || !u8(quiet) || !i64(log_level)) return false;
  c.config_dir = dir;
  c.threads = static_cast<int>(threads);
  c.quiet = quiet != 0;
  return true;
}

bool Reader::stream(StreamInfo& s) {
  int64_t w, h, type;
  uint8_t live;
  if (!i64(w) || !i64(h) || !i64(type) || !f64(s.fps) || !i64(s.frame_count) || !u8(live)) return false;
  s.size = cv::Size(static_cast<int>(w), static_cast<int>(h));
  s.type = static_cast<int>(type);
  s.live = live != 0;
  return true;
}

bool Reader::status(Status& s) {
  int64_t code;
  std::string message;
  if (!i64(code) || !str(message) || code < 0 || code > static_cast<int64_t>(StatusCode::cancelled)) return false;
  s = Status(static_cast<StatusCode>(code), message);
  return true;
}

bool send(int fd, const std::string& message) {
  const int64_t n = static_cast<int64_t>(message.size());
  return write_all(fd, reinterpret_cast<const char*>(&n), sizeof n) && write_all(fd, message.data(), message.size());
}

bool receive(int fd, std::string& message) {
  int64_t n = 0;
  if (!read_all(fd, reinterpret_cast<char*>(&n), sizeof n) || n < 0 || n > kMaxMessage) return false;
  message.resize(static_cast<size_t>(n));
  return read_all(fd, message.data(), message.size());
}

}  // namespace cvpipe::wire
