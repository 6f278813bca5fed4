// check_plugin: the conformance checks behind `cvpipe plugins check PATH.so`.
// In order: the library loads as the host loads it (entry point, ABI version and tag, descriptor,
// parameter schemas: PluginRegistry's refusals); every stage has a summary and every parameter of
// its stages and commands a doc line; then each stage, in a child process of its own (so a crash
// or a hang costs that stage's check, is reported with the step it happened in, and the checks go
// on), through the stage harness with its default parameters (or the values given for it):
// transforms and sinks get gray and colour 8-bit frames of 385x289 and 1x1, a colour 16-bit
// 385x289 frame and an empty frame (each must come back as frames or as a clean error Status,
// never an exception; a frame outside the stage's declared input contract is skipped, as the host
// never sends it), then finish() and close(); sources produce up to 3 frames. Every frame a stage
// emits must honour its declared output contract (depth, channels, meta keys; empty frames exempt).
// A stage with a required parameter (no default) is skipped with the reason: it cannot be
// configured without the user. One line per check; the result counts failures.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "cvpipe/testing/stage_harness.hpp"

namespace cvpipe {

enum class CheckOutcome { pass, fail, skip };

struct CheckLine {
  CheckOutcome outcome;
  std::string text;  // what was checked, and for fail / skip the reason
};

struct CheckSummary {
  int passed = 0, failed = 0, skipped = 0;
};

// Parameter values (as text) per stage name, for the run checks: values a stage needs, or
// settings to check besides the defaults.
using StageParamTexts = std::map<std::string, test::ParamTexts>;

// Runs every check on `library`, calling `report` for each line as it is decided.
// `stage_timeout_seconds` bounds each stage's child process.
CheckSummary check_plugin(const std::filesystem::path& library, const StageParamTexts& params,
                          const std::function<void(const CheckLine&)>& report, int stage_timeout_seconds = 300);

}  // namespace cvpipe
