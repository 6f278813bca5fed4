// The `cvpipe` binary: exit codes and messages of validate, plugins, run, train and eval, run as a
// child process with the unittest test plugin (--plugin-path) and the configs in tests/unit/data.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

extern char** environ;

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

const std::string kData = UT_DATA_DIR;
const std::string kGoodPlugins = std::string(UT_PLUGIN_DIR) + "/good";

struct Result {
  int code = -1;
  std::string out, err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs cvpipe with `args` (shell-quoted each) plus --plugin-path to the test plugin when asked.
// A scratch folder for the child's output, removed when the test program ends.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("cvpipe_ut_cli_" + std::to_string(::getpid()));
  ScratchDir() { fs::create_directories(path); }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

Result cvpipe(const std::vector<std::string>& args, bool with_plugins = true) {
  static int counter = 0;
  static const ScratchDir scratch;
  const fs::path& dir = scratch.path;
  const fs::path out = dir / ("out" + std::to_string(counter)), err = dir / ("err" + std::to_string(counter++));
  std::string cmd = "env -u CVPIPE_PLUGIN_PATH " + quote(UT_CVPIPE_BIN);
  for (const auto& a : args) cmd += " " + quote(a);
  if (with_plugins) cmd += " --plugin-path " + quote(kGoodPlugins);
  cmd += " >" + quote(out.string()) + " 2>" + quote(err.string()) + " </dev/null";
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

// ---- validate ----

TEST(Cli, ValidateGoodConfig) {
  const Result r = cvpipe({"validate", kData + "/good.yaml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kData + "/good.yaml: ok (source generate, 2 stages, 1 sink)\n");
  EXPECT_EQ(r.err, "");
}

TEST(Cli, ValidateEachConfigErrorClassExitsTwoWithFileLineCol) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"bad_yaml.yaml", ":2:7: error: malformed YAML"},
      {"bad_unknown_key.yaml", ":4:15: error: stage 'ut_scale' has no parameter 'factr'; did you mean 'factor'?"},
      {"bad_stage.yaml", ":3:12: error: unknown stage 'ut_scael'; did you mean 'ut_scale'? (known stages: "},
      {"bad_type.yaml", ":5:14: error: parameter 'ksize' of stage 'ut_scale': expected an integer, got 'three'"},
      {"bad_range.yaml", ":5:15: error: parameter 'factor' of stage 'ut_scale': 11 is out of range: must be in [0, 10]"},
      {"bad_choice.yaml", ":5:13: error: parameter 'mode' of stage 'ut_scale': 'fastest' is not one of: fast, exact"},
      {"bad_required.yaml", ":3:5: error: stage 'ut_model' needs parameter 'model'"},
      {"bad_path.yaml", ":4:22: error: parameter 'model' of stage 'ut_model': '" + kData + "/models/missing.bin' does not exist"},
      {"bad_env.yaml", ":4:22: error: environment variable 'CVPIPE_UT_SURELY_UNSET' is not set"},
      {"bad_configure.yaml", ":4:5: error: stage 'ut_model': cannot read model"},
  };
  for (const auto& [file, expected] : cases) {
    const std::string path = kData + "/" + file;
    const Result r = cvpipe({"validate", path});
    EXPECT_EQ(r.code, 2) << file << ": " << r.err;
    EXPECT_TRUE(starts_with(r.err, path + expected)) << file << ": expected '" << path + expected << "'\n got: " << r.err;
    EXPECT_EQ(r.out, "") << file;
  }
  // `run` judges a stage's refusal of its parameters like `validate`: a config error, exit 2.
  const Result run = cvpipe({"run", kData + "/bad_configure.yaml"});
  EXPECT_EQ(run.code, 2) << run.err;
  EXPECT_NE(run.err.find("cannot read model"), std::string::npos) << run.err;
  // The known stages are listed (real plugins in the build tree may add more).
  const Result r = cvpipe({"validate", kData + "/bad_stage.yaml"});
  EXPECT_NE(r.err.find("ut_model, ut_scale, ut_source"), std::string::npos) << r.err;
}

TEST(Cli, ValidateWithSetOverrides) {
  Result r = cvpipe({"validate", kData + "/good.yaml", "--set", "stages.brighter.factor=2", "--set", "runtime.queue=2"});
  EXPECT_EQ(r.code, 0) << r.err;
  r = cvpipe({"validate", kData + "/good.yaml", "--set", "stages.brigter.factor=2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, "cvpipe: error: --set stages.brigter.factor: no stage 'brigter'; did you mean 'brighter'?")) << r.err;
  r = cvpipe({"validate", kData + "/good.yaml", "--set", "stages.brighter.factor=20"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, "cvpipe: error: --set stages.brighter.factor=20: parameter 'factor'")) << r.err;
}

TEST(Cli, ValidateMissingFileAndUsageErrors) {
  Result r = cvpipe({"validate", kData + "/nope.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "cvpipe: error: file '" + kData + "/nope.yaml' does not exist\n");
  r = cvpipe({"validate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, "cvpipe: error: CONFIG is required")) << r.err;
  r = cvpipe({}, false);
  EXPECT_EQ(r.code, 2);
  r = cvpipe({"frobnicate"}, false);
  EXPECT_EQ(r.code, 2);
  r = cvpipe({"--help"}, false);
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("validate"), std::string::npos);
  r = cvpipe({"--version"}, false);
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(starts_with(r.out, "cvpipe ")) << r.out;
  r = cvpipe({"validate", kData + "/good.yaml", "--plugin-path", "/nonexistent/dir"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("plugin folder '/nonexistent/dir' does not exist"), std::string::npos) << r.err;
}

TEST(Cli, ValidateARecipe) {
  Result r = cvpipe({"validate", kData + "/recipe_good.yaml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, kData + "/recipe_good.yaml: ok (recipe: unittest train, 7 parameters)\n");
  r = cvpipe({"validate", kData + "/recipe_bad.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, kData + "/recipe_bad.yaml:5:3: error: command 'unittest train' has no parameter 'learning_rate'"))
      << r.err;
}

// ---- plugins ----

TEST(Cli, PluginsListShowsPluginsStagesAndCommands) {
  Result r = cvpipe({"plugins", "list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("unittest 0.0.1  " + fs::weakly_canonical(kGoodPlugins + "/libcvpipe_unittest.so").string()),
            std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stage    ut_scale   transform  test transform: scales pixels"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("command  eval"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("built-in sinks: images, video, jsonl, window, null"), std::string::npos) << r.out;
  r = cvpipe({"plugins"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("ut_source"), std::string::npos);
}

TEST(Cli, PluginsListJson) {
  const Result r = cvpipe({"plugins", "list", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& p : j["plugins"]) {
    if (p["name"] != "unittest") continue;
    found = true;
    EXPECT_EQ(p["version"], "0.0.1");
    EXPECT_EQ(p["stages"].size(), 3u);
    EXPECT_EQ(p["stages"][1]["name"], "ut_scale");
    EXPECT_EQ(p["stages"][1]["kind"], "transform");
    EXPECT_EQ(p["commands"].size(), 2u);
  }
  EXPECT_TRUE(found);
  EXPECT_TRUE(j["refused"].empty());
}

TEST(Cli, PluginsShowPrintsEveryParameter) {
  Result r = cvpipe({"plugins", "show", "ut_scale"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("stage ut_scale (plugin unittest 0.0.1, transform): test transform: scales pixels"), std::string::npos) << r.out;
  // name, type, default, range, doc for each parameter
  for (const char* row : {"factor   number  1", "in [0, 10]", "multiply pixels by this", "ksize    int     3", "in [1, 31]",
                          "mode     choice  fast", "one of: fast, exact", "enabled  bool    true", "label    string  \"\""}) {
    EXPECT_NE(r.out.find(row), std::string::npos) << "missing '" << row << "' in:\n" << r.out;
  }
  r = cvpipe({"plugins", "show", "ut_model"});
  EXPECT_NE(r.out.find("required"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("must exist"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in [0, 1] or 'auto'"), std::string::npos) << r.out;
  // plugin.stage naming, a whole plugin, a command, a built-in
  EXPECT_EQ(cvpipe({"plugins", "show", "unittest.ut_scale"}).code, 0);
  r = cvpipe({"plugins", "show", "unittest"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("stage ut_source"), std::string::npos);
  EXPECT_NE(r.out.find("command unittest eval"), std::string::npos);
  r = cvpipe({"plugins", "show", "unittest.train"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("epochs"), std::string::npos);
  r = cvpipe({"plugins", "show", "sink.images"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("path"), std::string::npos);
}

TEST(Cli, PluginsShowJsonAndUnknownNames) {
  Result r = cvpipe({"plugins", "show", "ut_scale", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "ut_scale");
  ASSERT_EQ(j["params"].size(), 5u);
  EXPECT_EQ(j["params"][1]["name"], "ksize");
  EXPECT_EQ(j["params"][1]["type"], "int");
  EXPECT_EQ(j["params"][1]["default"], 3);
  EXPECT_EQ(j["params"][1]["min"], 1);
  EXPECT_EQ(j["params"][1]["max"], 31);
  EXPECT_EQ(j["params"][2]["choices"], nlohmann::json({"fast", "exact"}));
  r = cvpipe({"plugins", "show", "ut_scal"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean 'ut_scale'?"), std::string::npos) << r.err;
  r = cvpipe({"plugins", "shwo", "x"});
  EXPECT_EQ(r.code, 2);
}

TEST(Cli, PluginsListReportsRefusedPlugins) {
  const Result r = cvpipe({"plugins", "list", "--plugin-path", std::string(UT_PLUGIN_DIR) + "/broken"});
  EXPECT_EQ(r.code, 0) << "a broken plugin file costs only its own stages:\n" << r.err;
  // The broken folder comes first: its ut_dup loads (and is listed), every other file there is
  // refused, and so is the good plugin, whose stage ut_scale ut_dup already registered.
  EXPECT_NE(r.out.find("ut_dup 0  "), std::string::npos) << "loaded plugins are still listed:\n" << r.out;
  EXPECT_EQ(r.out.find("unittest 0.0.1"), std::string::npos) << r.out;
  for (const char* refusal : {"is not a cvpipe plugin", "built for plugin ABI 0", "clang99;libc++1;opencv3",
                              "invalid ELF header", "returned no descriptor", "declares a bad schema",
                              "libcvpipe_unittest.so' registers stage 'ut_scale', which plugin"}) {
    EXPECT_NE(r.out.find(refusal), std::string::npos) << "missing '" << refusal << "' in:\n" << r.out;
  }
  // A pipeline that names a stage only a refused file could provide fails (exit 2) with the reasons.
  const Result v = cvpipe({"validate", kData + "/good.yaml", "--plugin-path", std::string(UT_PLUGIN_DIR) + "/broken"});
  EXPECT_EQ(v.code, 2);
  EXPECT_NE(v.err.find("unknown source stage 'ut_source'"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("could not be loaded"), std::string::npos) << v.err;
  EXPECT_NE(v.err.find("built for plugin ABI 0"), std::string::npos) << v.err;
  // What the loaded plugins provide still works, with a warning per skipped file.
  const Result listed = cvpipe({"plugins", "show", "ut_dup", "--plugin-path", std::string(UT_PLUGIN_DIR) + "/broken"});
  EXPECT_EQ(listed.code, 0) << listed.err;
  EXPECT_NE(listed.err.find("warning: plugin skipped: "), std::string::npos) << listed.err;
}

TEST(Cli, MisnamedLibraryInAPluginFolderIsReported) {
  const fs::path dir = fs::temp_directory_path() / ("cvpipe_ut_misnamed_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::copy_file(kGoodPlugins + "/libcvpipe_unittest.so", dir / "unittest.so", fs::copy_options::overwrite_existing);
  const Result r = cvpipe({"plugins", "list", "--plugin-path", dir.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("ignored: " + (dir / "unittest.so").string()), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("libcvpipe_NAME.so"), std::string::npos) << r.out;
  const Result v = cvpipe({"validate", kData + "/good.yaml", "--plugin-path", dir.string()}, false);
  EXPECT_NE(v.err.find("unittest.so' is not loaded"), std::string::npos) << v.err;
  fs::remove_all(dir);
}

// ---- run ----

TEST(Cli, RunGoodConfigWritesMetrics) {
  const fs::path metrics = fs::temp_directory_path() / ("cvpipe_ut_metrics_" + std::to_string(::getpid()) + ".json");
  const Result r = cvpipe({"run", kData + "/good.yaml", "--quiet", "--metrics", metrics.string()});
  EXPECT_EQ(r.code, 0) << r.err;
  ASSERT_TRUE(fs::exists(metrics));
  const auto j = nlohmann::json::parse(slurp(metrics));
  EXPECT_EQ(j["frames"], 4);
  fs::remove(metrics);
  const Result limited = cvpipe({"run", kData + "/good.yaml", "--quiet", "--max-frames", "2", "--metrics", metrics.string()});
  EXPECT_EQ(limited.code, 0) << limited.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(metrics))["frames"], 2);
  fs::remove(metrics);
}

TEST(Cli, RunConfigErrorsExitTwo) {
  Result r = cvpipe({"run", kData + "/bad_range.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, kData + "/bad_range.yaml:5:15: error:")) << r.err;
  r = cvpipe({"run", kData + "/good.yaml", "--threads", "-3"});
  EXPECT_EQ(r.code, 2);
  r = cvpipe({"run", kData + "/good.yaml", "--bogus"});
  EXPECT_EQ(r.code, 2);
}

// Starts a slow run, waits until frames flow (the source touches a file), sends `sig`, and
// returns the exit status and how long the stop took.
static void interrupt_run(int sig, int& status, double& waited) {
  const fs::path started = fs::temp_directory_path() / ("cvpipe_ut_started_" + std::to_string(::getpid()));
  fs::remove(started);
  std::vector<std::string> args = {UT_CVPIPE_BIN, "run", kData + "/slow.yaml", "--quiet", "--plugin-path", kGoodPlugins,
                                   "--set", "source.params.touch=" + started.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 600 && !fs::exists(started); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(fs::exists(started)) << "the run did not start within 30 s";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(pid, sig);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fs::remove(started);
}

TEST(Cli, RunStopsCleanlyOnSigintSigtermAndSighup) {
  // slow.yaml: 1000 frames x 20 ms; a signal must stop the run long before it would finish.
  for (const auto& [sig, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}, std::pair{SIGHUP, 129}}) {
    int status = 0;
    double waited = 0;
    interrupt_run(sig, status, waited);
    ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), code);
    EXPECT_LT(waited, 10.0);
  }
}

// ---- train ----

TEST(Cli, TrainRunsTheRecipeCommand) {
  Result r = cvpipe({"train", kData + "/recipe_good.yaml", "--set", "epochs=5", "--out", "/tmp/ut_out", "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["epochs"], 5);
  EXPECT_EQ(j["data"], kData) << "relative paths resolve against the recipe's folder";
  EXPECT_EQ(j["out"], "/tmp/ut_out");
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["config_dir"], kData);
  r = cvpipe({"train", kData + "/recipe_good.yaml", "--set", "params.epochs=500"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, "cvpipe: error: --set params.epochs=500: parameter 'epochs'")) << r.err;
  r = cvpipe({"train", kData + "/recipe_bad.yaml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(starts_with(r.err, kData + "/recipe_bad.yaml:5:3: error:")) << r.err;
  r = cvpipe({"train", kData + "/recipe_good.yaml", "--resume", "/nonexistent.ckpt"});
  EXPECT_EQ(r.code, 2);
}

// One rule for every plugin: the command line over the recipe over the default (docs/training.md).
TEST(Cli, TrainResolvesOutModelAndThreadsOnce) {
  const std::string recipe = kData + "/recipe_outputs.yaml";  // out: outputs, model: m.safetensors, threads: 3
  Result r = cvpipe({"train", recipe});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["out"], kData + "/outputs") << "the recipe's out";
  EXPECT_EQ(j["out_param"], kData + "/outputs") << "the command sees the resolved folder as its out parameter too";
  EXPECT_EQ(j["model"], kData + "/m.safetensors") << "the recipe's model";
  EXPECT_EQ(j["threads"], 3) << "the recipe's threads";
  EXPECT_EQ(j["stop_token"], true);
  EXPECT_EQ(j["command_line"], "cvpipe train " + recipe);

  r = cvpipe({"train", recipe, "--out", "/tmp/ut_cli_out", "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["out"], "/tmp/ut_cli_out");
  EXPECT_EQ(j["model"], "/tmp/ut_cli_out/model.safetensors") << "with --out the model goes where the rest goes";
  EXPECT_EQ(j["threads"], 2);
  EXPECT_EQ(j["command_line"], "cvpipe train " + recipe + " --out /tmp/ut_cli_out --threads 2");

  r = cvpipe({"train", recipe, "--out", "/tmp/ut_cli_out", "--set", "model=/tmp/elsewhere.safetensors"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["model"], "/tmp/elsewhere.safetensors") << "--set model wins";

  r = cvpipe({"train", kData + "/recipe_good.yaml"});  // no out, model or threads in the recipe
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  const std::string runs = (std::filesystem::current_path() / "runs" / "recipe_good").string();
  EXPECT_EQ(j["out"], runs);
  EXPECT_EQ(j["model"], runs + "/model.safetensors");
  EXPECT_EQ(j["threads"], 0);
}

TEST(Cli, TrainExitCodesFollowTheCommandStatus) {
  EXPECT_EQ(cvpipe({"train", kData + "/recipe_good.yaml", "--set", "outcome=runtime"}).code, 1);
  EXPECT_EQ(cvpipe({"train", kData + "/recipe_good.yaml", "--set", "outcome=invalid"}).code, 2);
  const Result r = cvpipe({"train", kData + "/recipe_good.yaml", "--set", "outcome=cancel"});
  EXPECT_EQ(r.code, 130);
  EXPECT_NE(r.err.find("interrupted"), std::string::npos) << r.err;
}

// ---- eval ----

TEST(Cli, EvalPassesGenericOptions) {
  Result r = cvpipe({"eval", "unittest", "--name", "digits", "--n", "5", "--verbose", "--sigma=12.5", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["name"], "digits");
  EXPECT_EQ(j["n"], 5);
  EXPECT_EQ(j["sigma"], 12.5);
  EXPECT_EQ(j["verbose"], true);
  r = cvpipe({"eval", "unittest", "--name", "x", "--no-verbose"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("name: x\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verbose: false\n"), std::string::npos) << r.out;
}

TEST(Cli, EvalValidatesOptions) {
  Result r = cvpipe({"eval", "unittest", "--name", "x", "--sigmaa", "3"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("has no option 'sigmaa'; did you mean 'sigma'?"), std::string::npos) << r.err;
  r = cvpipe({"eval", "unittest"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("needs option 'name'"), std::string::npos) << r.err;
  r = cvpipe({"eval", "unittest", "--name", "x", "--n", "0"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  r = cvpipe({"eval", "unitest", "--name", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean 'unittest'?"), std::string::npos) << r.err;
  r = cvpipe({"eval", "unittest", "--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("sigma"), std::string::npos) << r.out;
  EXPECT_EQ(cvpipe({"eval", "unittest", "--name", "x", "--outcome", "runtime"}).code, 1);
}

}  // namespace cvpipe
