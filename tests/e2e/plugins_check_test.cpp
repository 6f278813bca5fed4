// `cvpipe plugins check`: each check on its own line, a crash or an exception in one stage
// reported with the stage and the step while the other stages are still checked, exit 0 only
// when nothing fails. (Every shipped plugin passing it: the plugins_check.* ctest entries.)
#include <gtest/gtest.h>

#include "e2e_common.hpp"

namespace cvpipe::test {
namespace {

const std::string kE2ePlugin = std::string(E2E_PLUGIN_DIR) + "/libcvpipe_e2etest.so";

TEST(PluginsCheck, TheTestPluginPassesWithItsDefaults) {
  const ProcessResult r = cvpipe({"plugins", "check", kE2ePlugin}, source_dir());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("ok    loads: plugin e2etest"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok    stage fail_on: colour 8-bit 1x1 -> 1x1 8UC3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok    stage counter: produce() #3"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
}

TEST(PluginsCheck, ACrashingStageFailsWithItsStepAndTheOthersAreStillChecked) {
  // Frame 2 of the checks is the gray 1x1 one.
  const ProcessResult r = cvpipe({"plugins", "check", kE2ePlugin, "--set", "fail_on.seqs=2", "--set", "fail_on.crash=true"},
                                 source_dir());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("FAIL  stage fail_on: its process died with SIGSEGV"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("during stage fail_on: process(gray 8-bit 1x1)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok    stage batcher: close()"), std::string::npos) << "later stages still run:\n" << r.out;
  EXPECT_NE(r.out.find("1 failed"), std::string::npos) << r.out;
}

TEST(PluginsCheck, AnEscapedExceptionFails) {
  const ProcessResult r = cvpipe({"plugins", "check", kE2ePlugin, "--set", "fail_on.seqs=0", "--set", "fail_on.throw=true"},
                                 source_dir());
  EXPECT_EQ(r.exit_code, 1) << r.describe();
  EXPECT_NE(r.out.find("FAIL  stage fail_on: gray 8-bit 385x289: an exception escaped"), std::string::npos) << r.out;
}

TEST(PluginsCheck, RefusalsAndUsageErrors) {
  const ProcessResult missing = cvpipe({"plugins", "check", "/nonexistent/libcvpipe_x.so"}, source_dir());
  EXPECT_EQ(missing.exit_code, 1) << missing.describe();
  EXPECT_NE(missing.out.find("FAIL  loads: "), std::string::npos) << missing.out;
  const ProcessResult bad_set = cvpipe({"plugins", "check", kE2ePlugin, "--set", "seqs=2"}, source_dir());
  EXPECT_EQ(bad_set.exit_code, 2) << bad_set.describe();
  EXPECT_NE(bad_set.err.find("STAGE.PARAM=VALUE"), std::string::npos) << bad_set.err;
  const ProcessResult unknown = cvpipe({"plugins", "check", kE2ePlugin, "--set", "nosuch.x=1"}, source_dir());
  EXPECT_EQ(unknown.exit_code, 1) << unknown.describe();
  EXPECT_NE(unknown.out.find("which this plugin does not provide"), std::string::npos) << unknown.out;
}

TEST(PluginsNew, WritesAProjectAndRefusesBadNamesAndFullFolders) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("cvpipe_new_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const ProcessResult r = cvpipe({"plugins", "new", "sharpen2", (dir / "sharpen2").string()}, source_dir());
  EXPECT_EQ(r.exit_code, 0) << r.describe();
  for (const char* f : {"CMakeLists.txt", "sharpen2.cpp", "sharpen2_test.cpp", "pipeline.yaml", "README.md"})
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / "sharpen2" / f)) << f;
  const ProcessResult again = cvpipe({"plugins", "new", "sharpen2", (dir / "sharpen2").string()}, source_dir());
  EXPECT_EQ(again.exit_code, 2) << again.describe();
  EXPECT_NE(again.err.find("is not an empty folder"), std::string::npos) << again.err;
  const ProcessResult bad = cvpipe({"plugins", "new", "My-Stage", (dir / "x").string()}, source_dir());
  EXPECT_EQ(bad.exit_code, 2) << bad.describe();
  EXPECT_FALSE(std::filesystem::exists(dir / "x"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cvpipe::test
