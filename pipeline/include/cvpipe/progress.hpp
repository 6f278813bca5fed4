// ProgressBar: a one-line progress display on stderr (done/total, rate, ETA, custom text) for the
// executor, trainers and long commands. Header-only so plugins can use it.
// Guarantees: writes nothing when disabled (use ProgressBar::terminal_enabled(quiet) for the CLI
// rule "only on a terminal, never with --quiet"); draws nothing for work shorter than
// `Options::delay_s`; redraws at most once per `Options::interval_s`; finish() ends the line only
// when something was drawn. All members are thread-safe (one mutex); update() is cheap when no
// redraw is due.
#pragma once
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <sys/ioctl.h>
#include <unistd.h>

namespace cvpipe {

class ProgressBar {
 public:
  struct Options {
    bool enabled = true;
    std::string label;           // e.g. "run", "train"; shown first
    int64_t total = -1;          // -1: unknown (no bar, no ETA)
    std::string unit = "it";     // "frames", "steps" ...
    double interval_s = 0.1;     // minimum time between redraws
    double delay_s = 1.0;        // nothing is drawn before this much time has passed
    std::FILE* out = stderr;
    int width = 0;               // 0: terminal width (80 when unknown)
  };

  explicit ProgressBar(Options options) : opt_(std::move(options)), start_(Clock::now()) {}
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar() { finish(); }

  // True when a progress bar should be drawn: stderr is a terminal and the user did not ask for quiet.
  static bool terminal_enabled(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) == 1; }

  bool enabled() const { return opt_.enabled; }

  void set_total(int64_t total) {
    std::lock_guard lock(mutex_);
    opt_.total = total;
  }

  // Records progress (absolute count) and an optional text (e.g. "loss 0.123"); redraws when due.
  void update(int64_t done, std::string_view text = {}) {
    if (!opt_.enabled) return;
    std::lock_guard lock(mutex_);
    done_ = done;
    if (!text.empty()) text_.assign(text);
    maybe_draw_locked(false);
  }

  // Adds n to the count.
  void tick(int64_t n = 1, std::string_view text = {}) {
    if (!opt_.enabled) return;
    std::lock_guard lock(mutex_);
    done_ += n;
    if (!text.empty()) text_.assign(text);
    maybe_draw_locked(false);
  }

  // Erases the line so a log message can be printed; the next update redraws it.
  void clear() {
    if (!opt_.enabled) return;
    std::lock_guard lock(mutex_);
    if (drawn_) {
      std::fputs("\r\x1b[K", opt_.out);
      std::fflush(opt_.out);
    }
  }

  // Draws the final state (if anything was drawn before) and ends the line. Idempotent.
  void finish(std::string_view text = {}) {
    if (!opt_.enabled) return;
    std::lock_guard lock(mutex_);
    if (finished_) return;
    finished_ = true;
    if (!text.empty()) text_.assign(text);
    if (drawn_) {
      maybe_draw_locked(true);
      std::fputc('\n', opt_.out);
      std::fflush(opt_.out);
    }
  }

  // The line for a state, without control characters; `width` bounds its length. Pure: for tests.
  static std::string format_line(std::string_view label, int64_t done, int64_t total, double elapsed_s,
                                 std::string_view unit, std::string_view text, int width) {
    std::string head;
    if (!label.empty()) { head += label; head += ' '; }
    std::string counts = std::to_string(done);
    if (total >= 0) counts += "/" + std::to_string(total);
    counts += ' ';
    counts += unit;
    const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
    std::string tail = " " + counts + " " + format_rate(rate, unit) + " " + format_duration(elapsed_s);
    if (total > 0 && done < total && rate > 0) {
      tail += " ETA " + format_duration(static_cast<double>(total - done) / rate);
    }
    if (!text.empty()) { tail += "  "; tail += text; }
    std::string line = head;
    if (total > 0) {
      // The bar takes what is left of the width, between 10 and 30 cells.
      int cells = width - static_cast<int>(head.size() + tail.size()) - 2 - 5;
      if (cells > 30) cells = 30;
      if (cells >= 10) {
        const double frac = std::min(1.0, std::max(0.0, static_cast<double>(done) / static_cast<double>(total)));
        const int full = static_cast<int>(std::floor(frac * cells));
        line += '[';
        line.append(static_cast<size_t>(full), '#');
        line.append(static_cast<size_t>(cells - full), '.');
        line += ']';
      }
      char pct[16];
      std::snprintf(pct, sizeof pct, " %3d%%", static_cast<int>(std::floor(100.0 * std::min(1.0, static_cast<double>(done) / static_cast<double>(total)))));
      line += pct;
    }
    line += tail;
    if (width > 0 && static_cast<int>(line.size()) > width) line.resize(static_cast<size_t>(width));
    return line;
  }

  // "12.3 frames/s", "0.5 it/s", "1.2k it/s".
  static std::string format_rate(double rate, std::string_view unit) {
    char buf[48];
    if (rate >= 10000) std::snprintf(buf, sizeof buf, "%.1fk %.*s/s", rate / 1000.0, static_cast<int>(unit.size()), unit.data());
    else if (rate >= 100) std::snprintf(buf, sizeof buf, "%.0f %.*s/s", rate, static_cast<int>(unit.size()), unit.data());
    else std::snprintf(buf, sizeof buf, "%.1f %.*s/s", rate, static_cast<int>(unit.size()), unit.data());
    return buf;
  }

  // "0:07", "12:03", "1:02:03".
  static std::string format_duration(double seconds) {
    if (!(seconds >= 0) || seconds > 359999) return "--:--";
    const auto s = static_cast<int64_t>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                                 static_cast<long long>((s / 60) % 60), static_cast<long long>(s % 60));
    else std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
    return buf;
  }

 private:
  using Clock = std::chrono::steady_clock;

  void maybe_draw_locked(bool force) {
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (!force) {
      if (finished_ || elapsed < opt_.delay_s) return;
      if (drawn_ && std::chrono::duration<double>(now - last_draw_).count() < opt_.interval_s) return;
    }
    last_draw_ = now;
    drawn_ = true;
    const std::string line = format_line(opt_.label, done_, opt_.total, elapsed, opt_.unit, text_, width());
    std::fputs("\r", opt_.out);
    std::fputs(line.c_str(), opt_.out);
    std::fputs("\x1b[K", opt_.out);
    std::fflush(opt_.out);
  }

  int width() const {
    if (opt_.width > 0) return opt_.width;
    winsize ws{};
    if (::ioctl(::fileno(opt_.out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20) return ws.ws_col - 1;
    return 79;
  }

  Options opt_;
  std::mutex mutex_;
  Clock::time_point start_;
  Clock::time_point last_draw_{};
  int64_t done_ = 0;
  std::string text_;
  bool drawn_ = false;
  bool finished_ = false;
};

}  // namespace cvpipe
