// The plugin boundary. A plugin is a shared library exporting one C symbol,
// `cvpipe_plugin_entry`, that returns a pointer to a static CvpipePluginDescriptor.
// The host reads abi_version and abi_tag (plain C fields) first and refuses the library when
// either differs from its own, before it touches any C++ type. Objects are destroyed by the
// library that created them (create/destroy pairs); the host keeps the library loaded while
// any object from it lives. No exception crosses the boundary: calls return Status.
//
// Writing a plugin:
//   class Blur : public cvpipe::TransformStage {
//    public:
//     static std::vector<cvpipe::ParamSpec> params();
//     static cvpipe::StageContract contract();             // optional: what it accepts and emits
//     static cvpipe::Status check_params(const cvpipe::Params& p);  // optional: rules across params
//     ...
//   };
//   static const cvpipe::StageEntry kStages[] = {cvpipe::stage_entry<Blur>("blur", "Gaussian blur")};
//   CVPIPE_PLUGIN("myplugin", "1.0.0", kStages, nullptr)
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <concepts>
#include <string>
#include <type_traits>
#include <vector>

#include <opencv2/core/version.hpp>

#include "cvpipe/params.hpp"
#include "cvpipe/stage.hpp"
#include "cvpipe/status.hpp"

// Bumped whenever a type that crosses the boundary (Frame, Stage, ParamSpec, entries) changes.
#define CVPIPE_ABI_VERSION 4u

#define CVPIPE_STR2(x) #x
#define CVPIPE_STR(x) CVPIPE_STR2(x)
#if defined(__clang__)
#define CVPIPE_COMPILER "clang" CVPIPE_STR(__clang_major__)
#elif defined(__GNUC__)
#define CVPIPE_COMPILER "gcc" CVPIPE_STR(__GNUC__)
#else
#define CVPIPE_COMPILER "unknown"
#endif
#if defined(_GLIBCXX_USE_CXX11_ABI)
#define CVPIPE_STDLIB "libstdc++cxx11abi" CVPIPE_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define CVPIPE_STDLIB "libc++" CVPIPE_STR(_LIBCPP_ABI_VERSION)
#else
#define CVPIPE_STDLIB "unknown-stdlib"
#endif
// Names compiler family, C++ runtime and OpenCV major version: "gcc12;libstdc++cxx11abi1;opencv4".
#define CVPIPE_ABI_TAG CVPIPE_COMPILER ";" CVPIPE_STDLIB ";opencv" CVPIPE_STR(CV_VERSION_MAJOR)

namespace cvpipe {

struct StageEntry {
  const char* name;     // registered stage name, unique across loaded plugins
  const char* summary;  // one line
  StageKind kind;
  std::vector<ParamSpec> (*params)();
  StageContract (*contract)();              // never null
  Status (*check_params)(const Params&);    // rules across parameters (after the schema); may be null
  Stage* (*create)();   // nullptr on failure
  void (*destroy)(Stage*);
};

// What `cvpipe train` and `cvpipe eval` hand to a plugin command. The host resolves each setting
// once, with one rule for every plugin: the command line over the recipe over the default.
//   out_dir  train: --out DIR > the recipe's `out` parameter > runs/<recipe file name>; eval: --out or empty
//   threads  --threads N > the recipe's `threads` parameter > 0 (all cores); the host has already
//            set the compute threads of the calling thread to it: a command never sets threads
//   resume   --resume CHECKPOINT, empty when not given
//   command_line  the command as the user typed it ("cvpipe train configs/train/x.yaml --out runs/x")
//   stop     the stop token: set by Ctrl-C (SIGINT) or SIGTERM; a command checkpoints and returns
//            StatusCode::cancelled (nn::Trainer does both), and the CLI exits with 130
// For train, the recipe's `model` parameter (the model file to write) is resolved the same way:
// --set model=PATH > <out_dir>/model.safetensors when --out is given > the recipe's `model` >
// <out_dir>/model.safetensors; the command receives the result as its `model` parameter.
struct CommandContext {
  std::filesystem::path config_dir;  // folder of the recipe (or the working directory)
  std::filesystem::path out_dir;
  std::filesystem::path resume;
  int threads = 0;
  bool quiet = false;
  const std::atomic<bool>* stop = nullptr;  // never null when the CLI calls
  std::string command_line;                 // the command as typed (recorded in trained model files)
  bool stop_requested() const { return stop && stop->load(); }
};

struct CommandEntry {
  const char* name;     // "train" or "eval" (or another verb the CLI exposes)
  const char* summary;
  std::vector<ParamSpec> (*params)();
  // Runs the command; writes its result (one JSON object for eval) to `output`.
  Status (*run)(const Params& params, const CommandContext& ctx, std::string& output);
};

// The entry of stage class T: its kind from its base class (SourceStage, TransformStage,
// SinkStage), T::params(), and T::contract() and T::check_params() when T declares them.
template <class T>
StageEntry stage_entry(const char* name, const char* summary) {
  static_assert(std::is_base_of_v<SourceStage, T> || std::is_base_of_v<TransformStage, T> || std::is_base_of_v<SinkStage, T>,
                "a stage derives from cvpipe::SourceStage, cvpipe::TransformStage or cvpipe::SinkStage");
  StageContract (*contract)() = [] { return StageContract{}; };
  if constexpr (requires { { T::contract() } -> std::same_as<StageContract>; }) contract = &T::contract;
  Status (*check)(const Params&) = nullptr;
  if constexpr (requires(const Params& p) { { T::check_params(p) } -> std::same_as<Status>; }) check = &T::check_params;
  return StageEntry{
      name, summary, T::kind, &T::params, contract, check,
      []() -> Stage* {
        try { return new T(); } catch (...) { return nullptr; }
      },
      [](Stage* s) { delete s; }};
}

// Runs fn() (returning Status) and turns any exception into a Status: at the top of a command's
// run(), and around OpenCV or nn engine calls in stages and model code. The message is
// "<context>: <what>" (for a cv::Exception "<context>: OpenCV: <its error text>"; no prefix when
// context is empty); `code` is the code a caught exception gets (runtime_error by default;
// invalid_argument where bad input, e.g. a malformed model file, is the cause).
template <class Fn>
Status guard(Fn&& fn, const std::string& context = {}, StatusCode code = StatusCode::runtime_error) {
  const std::string prefix = context.empty() ? std::string() : context + ": ";
  try {
    return fn();
  } catch (const cv::Exception& e) {
    return Status(code, prefix + "OpenCV: " + e.err);
  } catch (const std::exception& e) {
    return Status(code, prefix + e.what());
  } catch (...) {
    return Status(code, prefix + "unknown exception");
  }
}

}  // namespace cvpipe

extern "C" struct CvpipePluginDescriptor {
  uint32_t abi_version;  // CVPIPE_ABI_VERSION the plugin was built with
  const char* abi_tag;   // CVPIPE_ABI_TAG the plugin was built with
  const char* name;
  const char* version;
  const cvpipe::StageEntry* stages;
  size_t stage_count;
  const cvpipe::CommandEntry* commands;
  size_t command_count;
};

#define CVPIPE_ENTRY_SYMBOL "cvpipe_plugin_entry"

namespace cvpipe::detail {
template <class T, size_t N> constexpr size_t count_of(const T (&)[N]) { return N; }
constexpr size_t count_of(std::nullptr_t) { return 0; }
}  // namespace cvpipe::detail

// Defines the entry point. STAGES and COMMANDS are static arrays (or nullptr).
#define CVPIPE_PLUGIN(NAME, VERSION, STAGES, COMMANDS)                                        \
  extern "C" __attribute__((visibility("default"))) const CvpipePluginDescriptor*            \
  cvpipe_plugin_entry() {                                                                     \
    static const CvpipePluginDescriptor descriptor{                                           \
        CVPIPE_ABI_VERSION, CVPIPE_ABI_TAG, NAME, VERSION,                                    \
        STAGES, ::cvpipe::detail::count_of(STAGES),                                           \
        COMMANDS, ::cvpipe::detail::count_of(COMMANDS)};                                      \
    return &descriptor;                                                                       \
  }
