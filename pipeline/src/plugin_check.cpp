// check_plugin: see plugin_check.hpp.
#include "plugin_check.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "cvpipe/testing/images.hpp"
#include "cvpipe/testing/stage_harness.hpp"
#include "exit_text.hpp"
#include "plugin_registry.hpp"

namespace cvpipe {

namespace {

// What a stage's child process writes to its pipe, one line each: "@ STEP" before each step,
// then "P TEXT", "F TEXT" or "S TEXT" for each check decided.
class ChildReport {
 public:
  explicit ChildReport(int fd) : fd_(fd) {}
  void step(const std::string& what) { send('@', what); }
  void line(CheckOutcome o, const std::string& text) {
    send(o == CheckOutcome::pass ? 'P' : o == CheckOutcome::fail ? 'F' : 'S', text);
  }
  void status(const std::string& what, const Status& st) {
    line(st.ok() ? CheckOutcome::pass : CheckOutcome::fail, st.ok() ? what : what + ": " + st.message());
  }

 private:
  void send(char tag, std::string text) {
    for (char& c : text)
      if (c == '\n') c = ' ';
    const std::string msg = std::string(1, tag) + " " + text + "\n";
    for (size_t done = 0; done < msg.size();) {
      const ssize_t n = ::write(fd_, msg.data() + done, msg.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  int fd_;
};

bool threw(const Status& st) { return st.message().rfind("THREW:", 0) == 0; }

std::string describe(const cv::Mat& m) {
  if (m.empty()) return "an empty image";
  return std::to_string(m.cols) + "x" + std::to_string(m.rows) + " " + test::type_name(m.type());
}

// Frames the stage emitted that break its declared output contract ("" when none). Empty
// frames are exempt (a stage may pass them on untouched).
std::string outside_output_contract(const test::StageHarness& h, const std::vector<Frame>& frames) {
  for (const auto& f : frames)
    if (!f.image.empty())
      if (const std::string why = h.contract().output.mismatch(f); !why.empty())
        return "emitted " + frame_text(f) + " outside its output contract: the contract " + why;
  return {};
}

// One frame through a transform or sink stage: frames out that honour the output contract, or a
// clean error, pass; an exception or a frame outside the contract fails. A frame outside the
// declared input contract is not sent (the host refuses it before the stage sees it).
void check_frame(test::StageHarness& h, ChildReport& r, const std::string& prefix, const std::string& what,
                 const cv::Mat& image, int batch, int64_t seq) {
  const std::string label = prefix + what;
  Frame in = test::make_frame(image, "check.png", seq);
  if (!h.contract().input.mismatch(in).empty())
    return r.line(CheckOutcome::skip, label + ": outside its input contract (" + h.contract().input.text() + ")");
  const bool sink = h.entry()->kind == StageKind::sink;
  r.step(prefix + (sink ? "consume(" : "process(") + what + ")");
  std::vector<Frame> out;
  Status st;
  if (sink) {
    st = h.consume(in);
  } else if (batch > 1) {
    out.push_back(std::move(in));
    st = h.process_batch(out);
  } else {
    st = h.transform(in, out);
  }
  if (threw(st)) return r.line(CheckOutcome::fail, label + ": an exception escaped: " + st.message());
  if (!st.ok()) return r.line(CheckOutcome::pass, label + ": refused cleanly (" + st.message() + ")");
  if (const std::string bad = outside_output_contract(h, out); !bad.empty()) return r.line(CheckOutcome::fail, label + ": " + bad);
  std::string text;
  for (const auto& f : out) text += (text.empty() ? "" : ", ") + describe(f.image);
  r.line(CheckOutcome::pass, label + " -> " + (sink ? "consumed" : text.empty() ? "no frame (held back)" : text));
}

void check_frames(test::StageHarness& h, ChildReport& r, const std::string& prefix) {
  r.step(prefix + "open()");
  const Status opened = h.open({});
  r.status(prefix + "open() with an unknown stream", opened);
  if (!opened.ok()) return;
  int batch = 1;
  if (Stage* s = h.stage()) batch = s->preferred_batch();
  // Frames numbered 0..5 in this order.
  check_frame(h, r, prefix, "gray 8-bit 385x289", test::gray_image(385, 289), batch, 0);
  check_frame(h, r, prefix, "colour 8-bit 385x289", test::color_image(385, 289), batch, 1);
  check_frame(h, r, prefix, "gray 8-bit 1x1", test::gray_image(1, 1), batch, 2);
  check_frame(h, r, prefix, "colour 8-bit 1x1", test::color_image(1, 1), batch, 3);
  check_frame(h, r, prefix, "colour 16-bit 385x289", test::color_image(385, 289, CV_16U), batch, 4);
  check_frame(h, r, prefix, "an empty frame", cv::Mat(), batch, 5);
  r.step(prefix + "finish()");
  std::vector<Frame> rest;
  const Status fin = h.finish(rest);
  if (threw(fin)) return r.line(CheckOutcome::fail, prefix + "finish(): an exception escaped: " + fin.message());
  if (const std::string bad = outside_output_contract(h, rest); fin.ok() && !bad.empty())
    return r.line(CheckOutcome::fail, prefix + "finish(): " + bad);
  r.line(CheckOutcome::pass, prefix + "finish()" + (fin.ok() ? "" : ": refused cleanly (" + fin.message() + ")"));
}

void check_source(test::StageHarness& h, ChildReport& r, const std::string& prefix) {
  r.step(prefix + "open()");
  const Status opened = h.open({});
  r.status(prefix + "open()", opened);
  if (!opened.ok()) return;
  for (int i = 0; i < 3; ++i) {
    r.step(prefix + "produce() #" + std::to_string(i + 1));
    Frame f;
    f.seq = i;
    const Status st = h.produce(f);
    if (st.code() == StatusCode::end_of_stream) break;
    if (threw(st) || !st.ok()) return r.status(prefix + "produce() #" + std::to_string(i + 1), st);
    if (const std::string bad = outside_output_contract(h, {f}); !bad.empty())
      return r.line(CheckOutcome::fail, prefix + "produce() #" + std::to_string(i + 1) + ": " + bad);
    r.line(CheckOutcome::pass, prefix + "produce() #" + std::to_string(i + 1) + " -> " + describe(f.image));
  }
}

// The child's part: one stage through the harness.
void check_stage_in_child(const std::filesystem::path& library, const std::string& stage, StageKind kind,
                          const test::ParamTexts& params, ChildReport& r) {
  const std::string prefix = "stage " + stage + ": ";
  test::StageHarness h(test::PluginFile{library}, stage);
  r.step(prefix + "configure()");
  const Status configured = h.configure(params);
  if (configured.code() == StatusCode::invalid_argument && !threw(configured)) {
    // A stage may need the user's choice between parameters (e.g. a size or a scale).
    return r.line(CheckOutcome::skip, prefix + "run checks: the default parameters are refused (" + configured.message() + ")");
  }
  r.status(prefix + "configure() with " + (params.empty() ? "the default parameters" : "the given parameters"), configured);
  if (!configured.ok()) return;
  if (kind == StageKind::source) check_source(h, r, prefix);
  else check_frames(h, r, prefix);
  r.step(prefix + "close()");
  const Status closed = h.close();
  r.status(prefix + "close()", closed);
}

// Runs one stage's checks in a child process; relays its lines; reports a crash or a hang.
void run_stage_child(const std::filesystem::path& library, const std::string& stage, StageKind kind,
                     const test::ParamTexts& params, int timeout_s, const std::function<void(const CheckLine&)>& emit) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    emit({CheckOutcome::fail, "stage " + stage + ": cannot create a pipe: " + std::strerror(errno)});
    return;
  }
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    emit({CheckOutcome::fail, "stage " + stage + ": cannot fork: " + std::strerror(errno)});
    ::close(fds[0]);
    ::close(fds[1]);
    return;
  }
  if (pid == 0) {
    ::close(fds[0]);
    // The stage's own output would interleave with the check lines.
    if (int null = ::open("/dev/null", O_WRONLY); null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    ChildReport r(fds[1]);
    check_stage_in_child(library, stage, kind, params, r);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string buffer, last_step = "start-up";
  bool timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000))) <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    for (size_t nl; (nl = buffer.find('\n')) != std::string::npos; buffer.erase(0, nl + 1)) {
      const std::string line = buffer.substr(0, nl);
      if (line.size() < 2) continue;
      const std::string text = line.substr(2);
      switch (line[0]) {
        case '@': last_step = text; break;
        case 'P': emit({CheckOutcome::pass, text}); break;
        case 'F': emit({CheckOutcome::fail, text}); break;
        case 'S': emit({CheckOutcome::skip, text}); break;
      }
    }
  }
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  if (timed_out)
    emit({CheckOutcome::fail, "stage " + stage + ": no answer within " + std::to_string(timeout_s) + " s during " + last_step});
  else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
    emit({CheckOutcome::fail, "stage " + stage + ": its process " + exit_text(wstatus) + " during " + last_step});
}

std::string undocumented(const std::vector<ParamSpec>& params) {
  std::string names;
  for (const auto& p : params)
    if (p.doc.empty()) names += (names.empty() ? "" : ", ") + p.name;
  return names;
}

}  // namespace

CheckSummary check_plugin(const std::filesystem::path& library, const StageParamTexts& params,
                          const std::function<void(const CheckLine&)>& report, int stage_timeout_seconds) {
  CheckSummary sum;
  auto emit = [&](const CheckLine& l) {
    (l.outcome == CheckOutcome::pass ? sum.passed : l.outcome == CheckOutcome::fail ? sum.failed : sum.skipped)++;
    report(l);
  };
  PluginRegistry registry;
  if (Status st = registry.load_file(library); !st.ok()) {
    emit({CheckOutcome::fail, "loads: " + st.message()});
    return sum;
  }
  const LoadedPlugin& plugin = *registry.plugins().front();
  const auto stages = registry.stages_of(plugin);
  const auto commands = registry.commands_of(plugin);
  emit({CheckOutcome::pass, "loads: plugin " + plugin.name + " " + plugin.version + ", ABI " +
                                std::to_string(CVPIPE_ABI_VERSION) + " (" + CVPIPE_ABI_TAG + "), " +
                                std::to_string(stages.size()) + " stage(s), " + std::to_string(commands.size()) +
                                " command(s), parameter schemas valid"});
  if (stages.empty() && commands.empty()) emit({CheckOutcome::fail, "provides: no stage and no command"});

  for (const auto* s : stages) {
    const std::string name = s->entry->name;
    if (!s->entry->summary || !*s->entry->summary) emit({CheckOutcome::fail, "stage " + name + ": no summary line"});
    const std::string missing = undocumented(s->params);
    emit({missing.empty() ? CheckOutcome::pass : CheckOutcome::fail,
          "stage " + name + ": " + std::to_string(s->params.size()) + " parameter(s) documented" +
              (missing.empty() ? "" : ": no doc line for " + missing)});
  }
  for (const auto* c : commands) {
    const std::string missing = undocumented(c->params);
    emit({missing.empty() ? CheckOutcome::pass : CheckOutcome::fail,
          "command " + std::string(c->entry->name) + ": " + std::to_string(c->params.size()) + " parameter(s) documented" +
              (missing.empty() ? "" : ": no doc line for " + missing)});
  }

  for (const auto* s : stages) {
    const std::string name = s->entry->name;
    const auto given = params.find(name);
    const test::ParamTexts texts = given == params.end() ? test::ParamTexts{} : given->second;
    std::string required;
    for (const auto& p : s->params) {
      const bool set = std::any_of(texts.begin(), texts.end(), [&](const auto& t) { return t.first == p.name; });
      if (p.required() && !set) required += (required.empty() ? "" : ", ") + p.name;
    }
    if (!required.empty()) {
      emit({CheckOutcome::skip, "stage " + name + ": run checks need values for its required parameter(s) " + required +
                                    " (--set " + name + ".PARAM=VALUE)"});
      continue;
    }
    run_stage_child(plugin.file, name, s->entry->kind, texts, stage_timeout_seconds, emit);
  }
  for (const auto& entry : params) {
    const std::string& stage = entry.first;  // a named variable: clang < 16 cannot capture a structured binding
    if (std::none_of(stages.begin(), stages.end(), [&](const StageInfo* s) { return stage == s->entry->name; }))
      emit({CheckOutcome::fail, "--set names stage '" + stage + "', which this plugin does not provide"});
  }
  return sum;
}

}  // namespace cvpipe
