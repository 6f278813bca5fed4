// write_plugin_project: see plugin_scaffold.hpp. The templates use @NAME@ for the plugin name.
#include "plugin_scaffold.hpp"

#include <regex>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "io/atomic_file.hpp"

namespace cvpipe::cli {

namespace {

constexpr std::string_view kCMakeLists = R"(# The @NAME@ cvpipe plugin, built against an installed cvpipe:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=/path/to/cvpipe/prefix && cmake --build build
#   ctest --test-dir build --output-on-failure
# No build type given: Release (cvpipe_add_plugin sets it).
cmake_minimum_required(VERSION 3.22)
project(cvpipe_@NAME@ LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 20)
find_package(cvpipe REQUIRED)

cvpipe_add_plugin(@NAME@ SOURCES @NAME@.cpp)
install(TARGETS cvpipe_@NAME@ LIBRARY DESTINATION "${CVPIPE_PLUGIN_INSTALL_DIR}")

# Tests on cvpipe::testing (the host's stage harness), when GoogleTest is installed.
find_package(GTest)
if(GTest_FOUND)
  enable_testing()
  cvpipe_add_plugin_test(@NAME@_test PLUGIN @NAME@ SOURCES @NAME@_test.cpp)
endif()
)";

constexpr std::string_view kStage = R"(// The @NAME@ plugin: one transform stage, `@NAME@`, that multiplies every pixel by `gain`
// (saturating), on gray or colour frames of 8 or 16 bits. Replace process() with your own work;
// the parts around it (schema, configure, errors, the entry point) are what every stage has.
#include <cvpipe/plugin.hpp>

namespace {

class Gain : public cvpipe::TransformStage {
 public:
  // The parameters, checked by the host before configure(): type, range, default, one doc line.
  static std::vector<cvpipe::ParamSpec> params() {
    return {cvpipe::ParamSpec::number("gain", 1.0, 0.0, 16.0, "factor applied to every pixel value")};
  }

  cvpipe::Status configure(const cvpipe::Params& p, const cvpipe::StageContext&) override {
    gain_ = p.get_number("gain");
    return {};
  }

  // Called for every frame, from one thread at a time (not always the same one). Never throw:
  // return a Status; the host names the stage and the frame in its message.
  cvpipe::Status process(cvpipe::Frame& frame) override {
    if (frame.image.empty()) return cvpipe::Status::invalid("@NAME@: the frame has no image");
    cv::Mat out;
    frame.image.convertTo(out, frame.image.type(), gain_);
    frame.image = out;
    return {};
  }

 private:
  double gain_ = 1.0;
};

const cvpipe::StageEntry kStages[] = {
    cvpipe::stage_entry<Gain>("@NAME@", "multiply pixel values by a gain"),
};

}  // namespace

CVPIPE_PLUGIN("@NAME@", "0.1.0", kStages, nullptr)
)";

constexpr std::string_view kTest = R"(// Tests of the @NAME@ stage through cvpipe's stage harness: the host's parameter validation and
// the stage's lifecycle, on gray and colour frames.
#include <cvpipe/testing/images.hpp>
#include <cvpipe/testing/stage_harness.hpp>
#include <cvpipe/testing/status_matchers.hpp>

namespace {

using cvpipe::test::PluginFile;
using cvpipe::test::StageHarness;

TEST(@NAME@, DoublesGrayAndColourPixels) {
  for (const cv::Mat& image : {cvpipe::test::gray_image(37, 23), cvpipe::test::color_image(37, 23)}) {
    StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "@NAME@");
    ASSERT_OK(h.load_status());
    cvpipe::Frame out;
    ASSERT_OK(h.run_one(cvpipe::test::make_frame(image), out, {{"gain", "2"}}));
    cv::Mat expected;
    image.convertTo(expected, image.type(), 2.0);
    EXPECT_EQ(cvpipe::test::max_abs_diff(out.image, expected), 0.0);
  }
}

TEST(@NAME@, RefusesAGainOutOfRange) {
  StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "@NAME@");
  EXPECT_STATUS(h.configure({{"gain", "-1"}}), invalid_argument);
}

TEST(@NAME@, RefusesAnEmptyFrame) {
  StageHarness h(PluginFile{CVPIPE_PLUGIN_FILE}, "@NAME@");
  cvpipe::Frame out;
  EXPECT_STATUS(h.run_one(cvpipe::test::make_frame(cv::Mat()), out), invalid_argument);
}

}  // namespace
)";

constexpr std::string_view kPipeline = R"(# Runs the @NAME@ stage over a folder of images:
#   cvpipe run pipeline.yaml --plugin-path build --input PHOTOS --output out
source: { type: images, path: photos }
stages:
  - stage: @NAME@
    params: { gain: 1.5 }
sinks:
  - { type: images, path: out }
)";

constexpr std::string_view kReadme = R"(# @NAME@: a cvpipe plugin

Made by `cvpipe plugins new @NAME@`. One transform stage, `@NAME@`, with one parameter (`gain`).

    cmake -S . -B build -DCMAKE_PREFIX_PATH=/path/to/cvpipe/prefix   # where cvpipe is installed
    cmake --build build
    ctest --test-dir build --output-on-failure                       # the stage's tests
    cvpipe plugins check build/libcvpipe_@NAME@.so                    # the host's conformance checks
    cvpipe plugins show @NAME@ --plugin-path build
    cvpipe run pipeline.yaml --plugin-path build --input PHOTOS --output out

To use it without `--plugin-path`, install it (`cmake --install build`) or put its folder in
`CVPIPE_PLUGIN_PATH`. Only files named `libcvpipe_NAME.so` are loaded. cvpipe's
docs/plugin-authoring.md covers parameters, threading, the ABI rules and testing.
)";

std::string fill(std::string_view text, const std::string& name) {
  return std::regex_replace(std::string(text), std::regex("@NAME@"), name);
}

}  // namespace

Status write_plugin_project(const std::string& name, const std::filesystem::path& dir) {
  if (!std::regex_match(name, std::regex("[a-z][a-z0-9_]*")))
    return Status::invalid("plugin name '" + name + "' must start with a lower-case letter and hold only a-z, 0-9 and _");
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) &&
      (!std::filesystem::is_directory(dir, ec) || !std::filesystem::is_empty(dir, ec)))
    return Status::invalid("'" + dir.string() + "' exists and is not an empty folder; choose another DIR");
  CVPIPE_RETURN_IF_ERROR(io::ensure_folder(dir));
  const std::vector<std::pair<std::string, std::string_view>> files{
      {"CMakeLists.txt", kCMakeLists}, {name + ".cpp", kStage}, {name + "_test.cpp", kTest},
      {"pipeline.yaml", kPipeline},    {"README.md", kReadme}};
  for (const auto& [file, text] : files) {
    const std::string content = fill(text, name);
    CVPIPE_RETURN_IF_ERROR(io::write_file_atomic(dir / file, content.data(), content.size()));
  }
  return {};
}

}  // namespace cvpipe::cli
