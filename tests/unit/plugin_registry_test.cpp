// The plugin loader: a good plugin loads and creates stages; each refusal (not loadable, not a
// plugin, ABI version, ABI tag, duplicate stage, bad schema, null descriptor) names the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include "plugin_registry.hpp"
#include "schema.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {
const fs::path kGood = fs::path(UT_PLUGIN_DIR) / "good" / "libcvpipe_unittest.so";
fs::path broken(const std::string& name) { return fs::path(UT_PLUGIN_DIR) / "broken" / ("libcvpipe_ut_" + name + ".so"); }

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "expected '" << part << "' in: " << text;
}
}  // namespace

TEST(PluginRegistry, LoadsAGoodPluginAndCreatesItsStages) {
  PluginRegistry reg;
  ASSERT_OK(reg.load_file(kGood));
  ASSERT_EQ(reg.plugins().size(), 1u);
  EXPECT_EQ(reg.plugins()[0]->name, "unittest");
  EXPECT_EQ(reg.plugins()[0]->version, "0.0.1");
  EXPECT_EQ(reg.stage_names(), (std::vector<std::string>{"ut_model", "ut_scale", "ut_source"}));
  const StageInfo* s = reg.find_stage("ut_scale");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->entry->kind, StageKind::transform);
  EXPECT_EQ(s->params.size(), 5u);
  EXPECT_EQ(reg.find_stage("unittest.ut_scale"), s) << "plugin.stage addressing";
  EXPECT_EQ(reg.find_stage("other.ut_scale"), nullptr);
  EXPECT_EQ(reg.find_stage("nope"), nullptr);
  ASSERT_NE(reg.find_command("unittest", "train"), nullptr);
  ASSERT_NE(reg.find_command("unittest", "eval"), nullptr);
  EXPECT_EQ(reg.find_command("unittest", "fit"), nullptr);

  StageHandle stage;
  ASSERT_OK(reg.create_stage("ut_scale", stage));
  Params p;
  p.set("factor", 2.0);
  p.set("enabled", true);
  ASSERT_OK(stage->configure(p, {}));
  Frame f;
  f.image = cv::Mat(2, 2, CV_8UC1, cv::Scalar(10));
  std::vector<Frame> out;
  FrameCollector collect(out);
  ASSERT_OK(stage->transform(f, collect));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].image.at<uint8_t>(0, 0), 20);

  Status st = reg.create_stage("ut_scal", stage);
  EXPECT_EQ(st.code(), StatusCode::not_found);
  expect_contains(st.message(), "did you mean 'ut_scale'?");
  // Loading the same file again is a no-op.
  EXPECT_OK(reg.load_file(kGood));
  EXPECT_EQ(reg.plugins().size(), 1u);
}

TEST(PluginRegistry, StageHandlesOutliveTheRegistry) {
  StageHandle stage;
  Params p;
  p.set("count", int64_t{1});
  p.set("width", int64_t{4});
  {
    PluginRegistry reg;
    ASSERT_OK(reg.load_file(kGood));
    ASSERT_OK(reg.create_stage("ut_source", stage));
    EXPECT_TRUE(fill_defaults(reg.find_stage("ut_source")->params, p).empty());
  }
  // The library stays loaded while the stage lives: calling into it must work.
  ASSERT_OK(stage->configure(p, {}));
  Frame f;
  ASSERT_OK(stage->produce(f));
  EXPECT_EQ(f.image.cols, 4);
  EXPECT_TRUE(stage->produce(f).is_end());
  stage.reset();
}

TEST(PluginRegistry, RefusesAFileThatCannotBeLoaded) {
  PluginRegistry reg;
  Status st = reg.load_file(broken("garbage"));
  EXPECT_EQ(st.code(), StatusCode::io_error);
  expect_contains(st.message(), "cannot load plugin '" + broken("garbage").string() + "'");
  // dlopen's own reason is included.
  expect_contains(st.message(), "invalid ELF header");
  EXPECT_EQ(reg.load_file(fs::path(UT_PLUGIN_DIR) / "nope.so").code(), StatusCode::not_found);
}

// dlopen of a file cut short dies with SIGBUS; the loader checks the ELF headers first.
TEST(PluginRegistry, RefusesTruncatedAndNonRegularFilesBeforeLoading) {
  const fs::path dir = fs::temp_directory_path() / ("cvpipe-elf-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto size = fs::file_size(kGood);
  for (const std::uintmax_t keep : {std::uintmax_t{10}, std::uintmax_t{100}, size / 2, size - 1}) {
    const fs::path cut = dir / ("libcvpipe_cut" + std::to_string(keep) + ".so");
    fs::copy_file(kGood, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, keep);
    PluginRegistry reg;
    const Status st = reg.load_file(cut);
    EXPECT_EQ(st.code(), StatusCode::io_error) << keep;
    expect_contains(st.message(), "cannot load plugin '" + cut.string() + "'");
    expect_contains(st.message(), keep < 64 ? "invalid ELF header" : "truncated");
  }
  const fs::path fifo = dir / "libcvpipe_fifo.so";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  PluginRegistry reg;
  const Status st = reg.load_file(fifo);  // must not block
  expect_contains(st.message(), "not a regular file");
  // A whole copy still loads.
  const fs::path whole = dir / "libcvpipe_unittest.so";
  fs::copy_file(kGood, whole);
  EXPECT_OK(reg.load_file(whole));
  fs::remove_all(dir);
}

TEST(PluginRegistry, RefusesALibraryWithoutTheEntryPoint) {
  PluginRegistry reg;
  Status st = reg.load_file(broken("notplugin"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), "'" + broken("notplugin").string() + "' is not a cvpipe plugin");
  EXPECT_TRUE(reg.plugins().empty());
}

TEST(PluginRegistry, RefusesAWrongAbiVersion) {
  PluginRegistry reg;
  Status st = reg.load_file(broken("abi0"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), broken("abi0").string());
  expect_contains(st.message(), "built for plugin ABI 0, this cvpipe needs " + std::to_string(CVPIPE_ABI_VERSION));
  EXPECT_TRUE(reg.plugins().empty());
}

TEST(PluginRegistry, RefusesAWrongAbiTagNamingBoth) {
  PluginRegistry reg;
  Status st = reg.load_file(broken("badtag"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), broken("badtag").string());
  expect_contains(st.message(), "'clang99;libc++1;opencv3'");
  expect_contains(st.message(), std::string("'") + CVPIPE_ABI_TAG + "'");
  EXPECT_TRUE(reg.plugins().empty());
}

TEST(PluginRegistry, RefusesADuplicateStageNamingBothFiles) {
  PluginRegistry reg;
  ASSERT_OK(reg.load_file(kGood));
  Status st = reg.load_file(broken("dup"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), "plugin '" + broken("dup").string() + "' registers stage 'ut_scale'");
  expect_contains(st.message(), "plugin '" + kGood.string() + "' already registers");
  EXPECT_EQ(reg.plugins().size(), 1u) << "the refused plugin is not added";
  EXPECT_EQ(reg.find_stage("ut_scale")->plugin->name, "unittest");
}

TEST(PluginRegistry, RefusesABadSchemaAndANullDescriptor) {
  PluginRegistry reg;
  Status st = reg.load_file(broken("badschema"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), broken("badschema").string());
  expect_contains(st.message(), "stage 'ut_broken_stage' declares a bad schema: parameter 'ksize': default 40");
  st = reg.load_file(broken("nullentry"));
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  expect_contains(st.message(), broken("nullentry").string());
  expect_contains(st.message(), "returned no descriptor");
  EXPECT_TRUE(reg.plugins().empty());
}

TEST(PluginRegistry, SearchPathOrderIsExtraThenEnvThenBuildThenInstall) {
  ::setenv("CVPIPE_PLUGIN_PATH", "/ut/env1::/ut/env2", 1);
  const auto dirs = PluginRegistry::search_path({"/ut/extra"});
  ::unsetenv("CVPIPE_PLUGIN_PATH");
  ASSERT_GE(dirs.size(), 5u);
  EXPECT_EQ(dirs[0], "/ut/extra");
  EXPECT_EQ(dirs[1], "/ut/env1");
  EXPECT_EQ(dirs[2], "/ut/env2");
  EXPECT_EQ(dirs[3], fs::weakly_canonical(CVPIPE_TEST_BUILD_PLUGIN_DIR));
  EXPECT_EQ(dirs.back(), fs::weakly_canonical(CVPIPE_TEST_INSTALL_PLUGIN_DIR));
  // Duplicates are removed.
  const auto again = PluginRegistry::search_path({"/ut/extra", "/ut/extra/"});
  EXPECT_EQ(std::count(again.begin(), again.end(), fs::path("/ut/extra")), 1);
}

TEST(PluginRegistry, FolderScanSkipsRefusalsAndKeepsTheirReasons) {
  // A folder with one good and several broken plugins.
  const fs::path dir = fs::temp_directory_path() / "cvpipe_ut_scan";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy_file(kGood, dir / kGood.filename());
  fs::copy_file(broken("abi0"), dir / broken("abi0").filename());
  fs::copy_file(broken("garbage"), dir / broken("garbage").filename());
  std::ofstream(dir / "README.txt") << "not scanned";
  fs::copy_file(broken("garbage"), dir / "libother_garbage.so");  // not libcvpipe_*: not loaded, reported
  {
    PluginRegistry reg;
    EXPECT_OK(reg.load_all({dir}));
    ASSERT_EQ(reg.refused().size(), 2u);
    expect_contains(reg.refused()[0].message(), "libcvpipe_ut_abi0.so");  // sorted: abi0 comes first
    ASSERT_NE(reg.find_plugin("unittest"), nullptr);
    EXPECT_EQ(reg.find_plugin("unittest")->file, fs::weakly_canonical(dir / kGood.filename()));
    ASSERT_EQ(reg.ignored().size(), 1u);
    EXPECT_EQ(reg.ignored()[0].filename(), "libother_garbage.so");
    StageHandle h;
    const Status st = reg.create_stage("no_such_stage", h);
    expect_contains(st.message(), "2 plugin files could not be loaded");
    expect_contains(st.message(), "libcvpipe_ut_abi0.so");
  }
  {
    // An earlier folder shadows a later one holding the same plugin (like PATH).
    PluginRegistry reg;
    EXPECT_OK(reg.load_all({dir, kGood.parent_path()}));
    EXPECT_EQ(reg.find_plugin("unittest")->file.parent_path(), fs::weakly_canonical(dir));
  }
  PluginRegistry reg;
  Status st = reg.load_all({dir / "missing"});
  EXPECT_EQ(st.code(), StatusCode::not_found);
  expect_contains(st.message(), "plugin folder");
  fs::remove_all(dir);
}

}  // namespace cvpipe
