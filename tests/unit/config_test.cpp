// The config loader: a good config becomes a complete PipelineSpec; each error class gives a
// `FILE:LINE:COL: error:` line at the right place; ${VAR} expansion; --set overrides; --input /
// --output and their precedence (the file < --input / --output < --set).
// Uses the "unittest" test plugin (stages ut_source, ut_scale, ut_model) and the built-in io types.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "config.hpp"
#include "plugin_registry.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

class ConfigTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new PluginRegistry();
    ASSERT_OK(registry_->load_file(fs::path(UT_PLUGIN_DIR) / "good" / "libcvpipe_unittest.so"));
  }
  static void TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
  }

  Status load(const std::string& yaml, std::vector<std::string> sets = {}, bool require_source = true) {
    ConfigOptions opt;
    opt.set_overrides = std::move(sets);
    opt.require_source = require_source;
    spec_ = PipelineSpec();
    return load_config_text(yaml, "cfg.yaml", "/base", *registry_, opt, spec_);
  }

  // Expects exactly one error line, equal to `expected` up to the end of `expected`.
  void expect_error(const std::string& yaml, const std::string& expected, std::vector<std::string> sets = {}) {
    Status st = load(yaml, std::move(sets));
    ASSERT_FALSE(st.ok()) << "expected an error for:\n" << yaml;
    EXPECT_EQ(st.code(), StatusCode::invalid_argument);
    EXPECT_EQ(st.message().find('\n'), std::string::npos) << "more than one error:\n" << st.message();
    EXPECT_EQ(st.message().substr(0, expected.size()), expected) << "full message: " << st.message();
  }

  static PluginRegistry* registry_;
  PipelineSpec spec_;
};
PluginRegistry* ConfigTest::registry_ = nullptr;

const char* kGood =
    "source: {type: generate, stage: ut_source, params: {count: 5}}\n"
    "stages:\n"
    "  - stage: ut_scale\n"
    "    name: twice\n"
    "    params: {factor: 2, mode: exact}\n"
    "  - stage: unittest.ut_scale\n"
    "sinks:\n"
    "  - {type: null}\n"
    "runtime: {on_error: stop, queue: 8, max_frames: 100}\n";

}  // namespace

TEST_F(ConfigTest, GoodConfigGivesACompleteSpec) {
  ASSERT_OK(load(kGood));
  EXPECT_EQ(spec_.source.type, "generate");
  EXPECT_EQ(spec_.source.stage, "ut_source");
  EXPECT_EQ(spec_.source.params.get_int("count"), 5);
  EXPECT_EQ(spec_.source.params.get_int("width"), 32) << "defaults are filled";
  EXPECT_EQ(spec_.source.where.str(), "cfg.yaml:1:9");
  ASSERT_EQ(spec_.stages.size(), 2u);
  EXPECT_EQ(spec_.stages[0].stage, "ut_scale");
  EXPECT_EQ(spec_.stages[0].name, "twice");
  EXPECT_DOUBLE_EQ(spec_.stages[0].params.get_number("factor"), 2.0);
  EXPECT_EQ(spec_.stages[0].params.get_string("mode"), "exact");
  EXPECT_EQ(spec_.stages[0].params.get_int("ksize"), 3);
  EXPECT_TRUE(spec_.stages[0].params.get_bool("enabled"));
  EXPECT_EQ(spec_.stages[0].where.str(), "cfg.yaml:3:5");
  EXPECT_EQ(spec_.stages[1].stage, "ut_scale") << "plugin.stage resolves to the registered name";
  EXPECT_EQ(spec_.stages[1].name, "ut_scale") << "instance name defaults to the stage name";
  ASSERT_EQ(spec_.sinks.size(), 1u);
  EXPECT_EQ(spec_.sinks[0].type, "null");
  EXPECT_EQ(spec_.runtime.on_error, OnError::stop);
  EXPECT_EQ(spec_.runtime.queue, 8);
  EXPECT_EQ(spec_.runtime.max_frames, 100);
  EXPECT_EQ(spec_.runtime.batch, 1);
  EXPECT_EQ(spec_.runtime.drop, "auto");
  EXPECT_EQ(spec_.runtime.executor, "streaming");
}

TEST_F(ConfigTest, MalformedYaml) {
  expect_error("source: {type: generate\nstages: []\n", "cfg.yaml:2:7: error: malformed YAML");
  expect_error("stages:\n  - stage: ut_scale\n   params: {}\n", "cfg.yaml:3:4: error: malformed YAML");
}

TEST_F(ConfigTest, OneDocumentNoDuplicateKeysBoundedDepth) {
  expect_error(std::string(kGood) + "---\nsource: {type: video}\n",
               "cfg.yaml:10:1: error: content after the first YAML document (a second document after '---'?)");
  // yaml-cpp's multi-document loop never ends on these (found by fuzzing): each must end quickly.
  for (const char* text : {",\n", "# c\n  ,\n", "[1]\n,\n", "a: 1\n---\n,\n"}) EXPECT_FALSE(load(text).ok()) << text;
  expect_error("source: {type: generate, stage: ut_source, type: video}\n",
               "cfg.yaml:1:44: error: key 'type' is given twice in 'source'");
  expect_error("runtime: {queue: 4}\nstages: []\nruntime: {queue: 8}\n",
               "cfg.yaml:3:1: error: key 'runtime' is given twice at the top level");
  const std::string deep = "source: " + std::string(100, '[') + std::string(100, ']') + "\n";
  expect_error(deep, "cfg.yaml:1:");
  EXPECT_NE(load(deep).message().find("nested more than 64 levels deep"), std::string::npos) << load(deep).message();
  const std::string deeper = "source: " + std::string(3000, '[') + std::string(3000, ']') + "\n";
  EXPECT_NE(load(deeper).message().find("levels deep"), std::string::npos) << load(deeper).message();
  // Aliases are walked once: a YAML "billion laughs" stays cheap and is judged on its content.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) +
            ", *" + static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + ", *" +
            static_cast<char>(c - 1) + ", *" + static_cast<char>(c - 1) + "]\n";
  EXPECT_FALSE(load(bomb).ok());
}

TEST_F(ConfigTest, OnlyRegularFilesAreRead) {
  const fs::path dir = fs::temp_directory_path() / ("cvpipe-config-fifo-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path fifo = dir / "pipe.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  PipelineSpec spec;
  const Status st = load_config(fifo, *registry_, ConfigOptions{}, spec);  // must not block
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("not a regular file"), std::string::npos) << st.message();
  const Status dev = load_config("/dev/zero", *registry_, ConfigOptions{}, spec);
  EXPECT_NE(dev.message().find("not a regular file"), std::string::npos) << dev.message();
  fs::remove_all(dir);
}

TEST_F(ConfigTest, EmptyOrNonMapConfig) {
  expect_error("", "cfg.yaml: error: the config is empty");
  expect_error("- a\n- b\n", "cfg.yaml:1:1: error: the config must be a map");
}

TEST_F(ConfigTest, UnknownKeysSuggestTheClosest) {
  expect_error("source: {type: generate, stage: ut_source}\nstagse: []\n",
               "cfg.yaml:2:1: error: unknown key 'stagse' in the config; did you mean 'stages'?");
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n    parms: {}\n",
               "cfg.yaml:4:5: error: unknown key 'parms' in a stage item; did you mean 'params'?");
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n    params: {factr: 2}\n",
               "cfg.yaml:4:14: error: stage 'ut_scale' has no parameter 'factr'; did you mean 'factor'?");
  expect_error("source: {type: generate, stage: ut_source}\nruntime:\n  on_eror: stop\n",
               "cfg.yaml:3:3: error: runtime has no key 'on_eror'; did you mean 'on_error'?");
}

TEST_F(ConfigTest, UnknownStageListsTheKnownOnes) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scal\n",
               "cfg.yaml:3:12: error: unknown stage 'ut_scal'; did you mean 'ut_scale'? (known stages: ut_model, "
               "ut_scale, ut_source)");
  expect_error("source: {type: generate, stage: ut_sauce}\n",
               "cfg.yaml:1:33: error: unknown source stage 'ut_sauce'; did you mean 'ut_source'? (known source stages: ut_source)");
}

TEST_F(ConfigTest, StageKindsMustFitTheirPlace) {
  expect_error("source: {type: generate, stage: ut_scale}\n",
               "cfg.yaml:1:33: error: stage 'ut_scale' is a transform stage, not a source");
  expect_error("source: {type: generate, stage: ut_source}\nstages: [{stage: ut_source}]\n",
               "cfg.yaml:2:18: error: stage 'ut_source' is a source stage; use it as the source");
}

TEST_F(ConfigTest, WrongType) {
  expect_error("source: {type: generate, stage: ut_source, params: {count: many}}\n",
               "cfg.yaml:1:60: error: parameter 'count' of stage 'ut_source': expected an integer, got 'many'");
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n    params:\n      enabled: [1]\n",
               "cfg.yaml:5:16: error: parameter 'enabled' of stage 'ut_scale': expected true or false, got a list");
}

TEST_F(ConfigTest, OutOfRange) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n    name: big\n"
               "    params:\n      ksize: 99\n",
               "cfg.yaml:6:14: error: parameter 'ksize' of stage 'big' (ut_scale): 99 is out of range: must be in [1, 31]");
  expect_error("source: {type: generate, stage: ut_source}\nruntime: {queue: 0}\n",
               "cfg.yaml:2:18: error: key 'queue' of runtime: 0 is out of range: must be in [1, 4096]");
}

TEST_F(ConfigTest, BadChoice) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - {stage: ut_scale, params: {mode: exakt}}\n",
               "cfg.yaml:3:38: error: parameter 'mode' of stage 'ut_scale': 'exakt' is not one of: fast, exact; did you mean 'exact'?");
  expect_error("source: {type: generate, stage: ut_source}\nruntime: {on_error: ignore}\n",
               "cfg.yaml:2:21: error: key 'on_error' of runtime: 'ignore' is not one of: skip, stop");
}

TEST_F(ConfigTest, MissingRequiredParameter) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_model\n    params: {threshold: 0.2}\n",
               "cfg.yaml:4:13: error: stage 'ut_model' needs parameter 'model' (a path: weights file)");
}

TEST_F(ConfigTest, MissingPathResolvedAgainstTheConfigFolder) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_model\n    params: {model: m/w.bin}\n",
               "cfg.yaml:4:21: error: parameter 'model' of stage 'ut_model': '/base/m/w.bin' does not exist");
}

TEST_F(ConfigTest, RelativePathsResolveAgainstTheConfigFileFolder) {
  const fs::path dir = fs::temp_directory_path() / "cvpipe_ut_config" / "configs";
  fs::create_directories(dir / "models");
  std::ofstream(dir / "models" / "w.bin") << "w";
  std::ofstream(dir / "p.yaml") << "source: {type: generate, stage: ut_source}\n"
                                   "stages: [{stage: ut_model, params: {model: models/w.bin, log: ../logs/x.txt}}]\n";
  PipelineSpec spec;
  // Loaded from another working directory: paths still resolve against the file's folder.
  Status st = load_config(dir / "p.yaml", *registry_, std::vector<std::string>{}, spec);
  ASSERT_OK(st);
  EXPECT_EQ(spec.stages[0].params.get_string("model"), (dir / "models" / "w.bin").string());
  EXPECT_EQ(spec.stages[0].params.get_string("log"), (dir.parent_path() / "logs" / "x.txt").string());
  EXPECT_EQ(spec.config_file, dir / "p.yaml");
  EXPECT_EQ(spec.stages[0].where.str(), (dir / "p.yaml").string() + ":2:10");
  fs::remove_all(dir.parent_path());
}

TEST_F(ConfigTest, MissingConfigFile) {
  PipelineSpec spec;
  Status st = load_config("/nonexistent/x.yaml", *registry_, std::vector<std::string>{}, spec);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  EXPECT_EQ(st.message(), "cvpipe: error: file '/nonexistent/x.yaml' does not exist");
}

TEST_F(ConfigTest, EnvironmentVariablesExpandInEveryString) {
  ::setenv("UT_CVPIPE_STAGE", "ut_scale", 1);
  ::setenv("UT_CVPIPE_FACTOR", "4", 1);
  ::setenv("UT_CVPIPE_LABEL", "hello", 1);
  ASSERT_OK(load("source: {type: generate, stage: ut_source}\n"
                   "stages: [{stage: '${UT_CVPIPE_STAGE}', params: {factor: '${UT_CVPIPE_FACTOR}', label: 'x-${UT_CVPIPE_LABEL}'}}]\n")
                  );
  EXPECT_EQ(spec_.stages[0].stage, "ut_scale");
  EXPECT_DOUBLE_EQ(spec_.stages[0].params.get_number("factor"), 4.0);
  EXPECT_EQ(spec_.stages[0].params.get_string("label"), "x-hello");
}

TEST_F(ConfigTest, UnsetVariableIsAnErrorAtItsScalar) {
  ::unsetenv("UT_CVPIPE_NOPE");
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n    params: {label: '${UT_CVPIPE_NOPE}/x'}\n",
               "cfg.yaml:4:21: error: environment variable 'UT_CVPIPE_NOPE' is not set");
}

TEST_F(ConfigTest, DuplicateStageNames) {
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - stage: ut_scale\n  - stage: ut_scale\n",
               "cfg.yaml:4:12: error: stage name 'ut_scale' is used twice (first at cfg.yaml:3:12); give one of them another 'name:'");
  expect_error("source: {type: generate, stage: ut_source}\nstages:\n  - {stage: ut_scale, name: a}\n  - {stage: ut_model, name: a, params: {model: /}}\n",
               "cfg.yaml:4:29: error: stage name 'a' is used twice");
}

TEST_F(ConfigTest, ExactlyOneSource) {
  expect_error("source:\n  - {type: generate, stage: ut_source}\n  - {type: generate, stage: ut_source}\n",
               "cfg.yaml:2:3: error: 'source' must be one map, not a list");
  expect_error("stages: []\n", "cfg.yaml:1:1: error: the config has no 'source'");
  expect_error("source: {type: generate, stage: ut_source}\nsource: {type: generate, stage: ut_source}\n",
               "cfg.yaml:2:1: error: key 'source' is given twice at the top level");
  // Without a source when the command line provides one (--input).
  EXPECT_OK(load("stages: [{stage: ut_scale}]\n", {}, false));
}

TEST_F(ConfigTest, UnknownSourceAndSinkTypes) {
  expect_error("source: {type: imgaes, path: x}\n", "cfg.yaml:1:16: error: unknown source type 'imgaes'; did you mean 'images'?");
  expect_error("source: {type: generate, stage: ut_source}\nsinks:\n  - {type: nul}\n",
               "cfg.yaml:3:12: error: unknown sink type 'nul'; did you mean 'null'?");
  expect_error("source: {stage: ut_source}\n", "cfg.yaml:1:9: error: the source needs 'type'");
}

TEST_F(ConfigTest, EveryErrorIsReportedInFileOrder) {
  Status st = load("source: {type: generate, stage: ut_source, params: {count: 0}}\n"
                   "stages:\n  - stage: nope\n  - {stage: ut_scale, params: {ksize: x}}\nruntime: {drop: all}\n");
  ASSERT_FALSE(st.ok());
  const std::string& m = st.message();
  const auto p1 = m.find("cfg.yaml:1:"), p3 = m.find("cfg.yaml:3:"), p4 = m.find("cfg.yaml:4:"), p5 = m.find("cfg.yaml:5:");
  ASSERT_NE(p1, std::string::npos) << m;
  ASSERT_NE(p3, std::string::npos) << m;
  ASSERT_NE(p4, std::string::npos) << m;
  ASSERT_NE(p5, std::string::npos) << m;
  EXPECT_LT(p1, p3);
  EXPECT_LT(p3, p4);
  EXPECT_LT(p4, p5);
}

TEST_F(ConfigTest, SetOverridesEveryAddress) {
  const std::string yaml =
      "source: {type: generate, stage: ut_source}\n"
      "stages:\n  - {stage: ut_scale, name: blur, params: {factor: 2}}\n  - {stage: ut_scale, name: other}\n"
      "sinks: [{type: null}]\n";
  ASSERT_OK(load(yaml, {"stages.blur.factor=3.5", "stages.other.params.mode=exact", "stages.1.ksize=5",
                          "source.params.count=7", "runtime.on_error=stop", "runtime.threads=2"})
                  )
      << load(yaml, {"stages.blur.factor=3.5"}).message();
  EXPECT_DOUBLE_EQ(spec_.stages[0].params.get_number("factor"), 3.5);
  EXPECT_EQ(spec_.stages[1].params.get_string("mode"), "exact");
  EXPECT_EQ(spec_.stages[1].params.get_int("ksize"), 5);
  EXPECT_EQ(spec_.source.params.get_int("count"), 7);
  EXPECT_EQ(spec_.runtime.on_error, OnError::stop);
  EXPECT_EQ(spec_.runtime.threads, 2);
  // source.KEY replaces a source key (here: the generate stage itself is checked again).
  expect_error(yaml, "cvpipe: error: --set source.stage=ut_scale: stage 'ut_scale' is a transform stage", {"source.stage=ut_scale"});
}

TEST_F(ConfigTest, SetPathsResolveAgainstTheWorkingDirectory) {
  const std::string yaml =
      "source: {type: generate, stage: ut_source}\n"
      "stages: [{stage: ut_model, params: {model: /, log: logs/in_file.txt}}, {stage: ut_model, name: b, params: {model: /}}]\n";
  ASSERT_OK(load(yaml, {"stages.b.log=logs/typed.txt"}));
  EXPECT_EQ(spec_.stages[0].params.get_string("log"), "/base/logs/in_file.txt");
  EXPECT_EQ(spec_.stages[1].params.get_string("log"), (fs::current_path() / "logs/typed.txt").string());
}

TEST_F(ConfigTest, SetValuesAreValidatedAndNameTheArgument) {
  const std::string yaml = "source: {type: generate, stage: ut_source}\nstages: [{stage: ut_scale, name: blur}]\n";
  expect_error(yaml, "cvpipe: error: --set stages.blur.factor=99: parameter 'factor' of stage 'blur' (ut_scale): 99 is out of range",
               {"stages.blur.factor=99"});
  expect_error(yaml, "cvpipe: error: --set stages.blur.factr=1: stage 'blur' (ut_scale) has no parameter 'factr'; did you mean 'factor'?",
               {"stages.blur.factr=1"});
  expect_error(yaml, "cvpipe: error: --set runtime.queue=many: key 'queue' of runtime: expected an integer", {"runtime.queue=many"});
}

TEST_F(ConfigTest, BadSetPaths) {
  const std::string yaml = "source: {type: generate, stage: ut_source}\nstages: [{stage: ut_scale, name: blur}]\nsinks: [{type: null}]\n";
  expect_error(yaml, "cvpipe: error: --set stages.blurr.sigma: no stage 'blurr'; did you mean 'blur'?", {"stages.blurr.sigma=1"});
  expect_error(yaml, "cvpipe: error: --set stage.blur.factor: unknown section 'stage'; did you mean 'stages'?", {"stage.blur.factor=1"});
  expect_error(yaml, "cvpipe: error: --set sinks.3.path: no sink 3 (the config has 1 sinks)", {"sinks.3.path=x"});
  expect_error(yaml, "cvpipe: error: --set runtime: expected KEY=VALUE", {"runtime"});
  expect_error(yaml, "cvpipe: error: --set stages.blur: expected stages.NAME.KEY", {"stages.blur=1"});
}

// A scratch folder with files named like inputs (their contents are never decoded here).
class InputOutputTest : public ConfigTest {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cvpipe_config_io_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "photos");
    for (const char* name : {"photos/a.png", "photos/b.jpg", "clip.avi", "config_photo.png"}) std::ofstream(dir_ / name) << "x";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Status load_io(const std::string& yaml, const std::string& input, const std::string& output,
                 std::vector<std::string> sets = {}) {
    ConfigOptions opt;
    opt.input = input;
    opt.output = output;
    opt.set_overrides = std::move(sets);
    spec_ = PipelineSpec();
    return load_config_text(yaml, "cfg.yaml", dir_, *registry_, opt, spec_);
  }
  fs::path dir_;
};

const char* kImagesConfig =
    "source: {type: images, path: config_photo.png, read: unchanged, include: '*.png', loop: true, fps: 5}\n"
    "sinks:\n"
    "  - {type: images, path: out, ext: jpg, jpeg_quality: 80}\n"
    "  - {type: jsonl, path: out/labels.jsonl}\n";

TEST_F(InputOutputTest, InputSetsThePathAndKeepsTheOtherOptions) {
  ASSERT_OK(load_io(kImagesConfig, (dir_ / "photos").string(), ""));
  EXPECT_EQ(spec_.source.type, "images");
  EXPECT_EQ(spec_.source.options.get_string("path"), (dir_ / "photos").string());
  EXPECT_EQ(spec_.source.options.get_string("read"), "unchanged");
  EXPECT_EQ(spec_.source.options.get_string("include"), "") << "a filter of the config's path goes with it";
  EXPECT_TRUE(spec_.source.options.get_bool("loop"));
  EXPECT_DOUBLE_EQ(spec_.source.options.get_number("fps"), 5.0);
  ASSERT_EQ(spec_.sinks.size(), 2u);
  EXPECT_EQ(spec_.sinks[0].options.get_string("path"), (dir_ / "out").string()) << "no --output: the config's sinks";
}

TEST_F(InputOutputTest, SetAppliesAfterInputAndOutput) {
  ASSERT_OK(load_io(kImagesConfig, (dir_ / "photos").string(), (dir_ / "clean").string(),
                      {"source.read=gray", "source.path=" + (dir_ / "photos/b.jpg").string(), "sinks.0.ext=bmp",
                       "source.include=b*"})
                  );
  EXPECT_EQ(spec_.source.options.get_string("read"), "gray");
  EXPECT_EQ(spec_.source.options.get_string("path"), (dir_ / "photos/b.jpg").string()) << "--set source.path wins over --input";
  EXPECT_EQ(spec_.source.options.get_string("include"), "b*");
  EXPECT_EQ(spec_.sinks[0].options.get_string("ext"), "bmp");
  EXPECT_EQ(spec_.sinks[0].options.get_string("path"), (dir_ / "clean").string());
}

TEST_F(InputOutputTest, InputOfAnotherTypeKeepsTheOptionsThatTypeAccepts) {
  ASSERT_OK(load_io(kImagesConfig, (dir_ / "clip.avi").string(), ""));
  EXPECT_EQ(spec_.source.type, "video");
  EXPECT_EQ(spec_.source.options.get_string("path"), (dir_ / "clip.avi").string());
  EXPECT_TRUE(spec_.source.options.get_bool("loop")) << "video has 'loop' too";
  EXPECT_EQ(spec_.source.options.get_string("read"), "color") << "video has 'read' but not 'unchanged': its default";
  EXPECT_FALSE(spec_.source.options.has("include"));
  EXPECT_FALSE(spec_.source.options.has("fps"));
  const std::string gray = "source: {type: images, path: config_photo.png, read: gray}\n";
  ASSERT_OK(load_io(gray, (dir_ / "clip.avi").string(), ""));
  EXPECT_EQ(spec_.source.options.get_string("read"), "gray");
  // A generate source's stage and parameters mean nothing to an images source.
  ASSERT_OK(load_io("source: {type: generate, stage: ut_source, params: {count: 3}}\n", (dir_ / "photos").string(), ""));
  EXPECT_EQ(spec_.source.type, "images");
  EXPECT_EQ(spec_.source.options.get_string("read"), "auto");
}

TEST_F(InputOutputTest, OutputReplacesTheFirstSinkKeepingItsOptions) {
  ASSERT_OK(load_io(kImagesConfig, "", (dir_ / "clean").string()));
  ASSERT_EQ(spec_.sinks.size(), 2u);
  EXPECT_EQ(spec_.sinks[0].type, "images");
  EXPECT_EQ(spec_.sinks[0].options.get_string("path"), (dir_ / "clean").string());
  EXPECT_EQ(spec_.sinks[0].options.get_string("ext"), "jpg");
  EXPECT_EQ(spec_.sinks[0].options.get_int("jpeg_quality"), 80);
  EXPECT_EQ(spec_.sinks[1].type, "jsonl");
  ASSERT_OK(load_io(kImagesConfig, "", (dir_ / "labels.jsonl").string()));
  EXPECT_EQ(spec_.sinks[0].type, "jsonl");
  EXPECT_FALSE(spec_.sinks[0].options.has("ext"));
  ASSERT_OK(load_io("source: {type: images, path: config_photo.png}\n", "", (dir_ / "clean").string()));
  ASSERT_EQ(spec_.sinks.size(), 1u) << "added when the config has no sink";
  EXPECT_EQ(spec_.sinks[0].options.get_string("ext"), "png");
}

TEST_F(InputOutputTest, ConfigWithoutSourceAndBadInputs) {
  ASSERT_OK(load_io("sinks: [{type: null}]\n", (dir_ / "photos").string(), ""));
  EXPECT_EQ(spec_.source.type, "images");
  const Status missing = load_io(kImagesConfig, (dir_ / "nothing_here").string(), "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.message().rfind("cvpipe: error: --input " + (dir_ / "nothing_here").string() + ": ", 0), 0u)
      << missing.message();
  const Status bad_out = load_io(kImagesConfig, "", (dir_ / "out.png").string());
  ASSERT_FALSE(bad_out.ok());
  EXPECT_NE(bad_out.message().find("--output " + (dir_ / "out.png").string() + ": "), std::string::npos) << bad_out.message();
  // A kept option that is wrong is reported where the config holds it.
  const Status bad_kept = load_io("source: {type: images, path: config_photo.png, fps: -3}\n", (dir_ / "photos").string(), "");
  ASSERT_FALSE(bad_kept.ok());
  EXPECT_EQ(bad_kept.message().rfind("cfg.yaml:1:", 0), 0u) << bad_kept.message();
}

}  // namespace cvpipe
