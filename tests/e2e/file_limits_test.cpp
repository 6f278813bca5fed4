// Outputs under a file-size limit (`ulimit -f`, here via prlimit): the run ends with exit 1 and a
// message naming the output, never with SIGXFSZ, and leaves no file behind, neither under the final
// name nor a temporary one. Video files are checked when they are finished (cv::VideoWriter does
// not report failed writes), which also covers a full disk; a real full disk (a tiny tmpfs) is
// tested too.
#include <gtest/gtest.h>

#include "e2e_common.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) names.push_back(e.path().lexically_relative(dir).string());
  return names;
}

ProcessResult run_limited(const TempDir& dir, const std::string& output, const std::string& bytes) {
  std::vector<std::string> argv = {"/usr/bin/prlimit", "--fsize=" + bytes, CVPIPE_BIN, "run",
                                   (source_dir() / "configs/blur.yaml").string(), "--input",
                                   (data_dir() / "vtest.avi").string(), "--output", output,
                                   "--max-frames", "60", "--quiet"};
  ProcessOptions options;
  options.cwd = dir.path();
  options.timeout_s = 120;
  return run_process(argv, options);
}

TEST(FileSizeLimit, EveryOutputKindFailsCleanlyAndLeavesNoFile) {
  CVPIPE_SAMPLE_OR_SKIP(video, "vtest.avi");
  for (const std::string output : {"out/v.mp4", "out/v.avi", "out/v.mkv", "out/frames", "out/frames.jsonl"}) {
    const TempDir dir;
    // Each limit is below what the full output needs (60 frames: the MKV is ~25 KB, the jsonl ~4 KB).
    const std::string limit = output == "out/frames.jsonl" ? "2000" : output == "out/v.mkv" ? "15000" : "60000";
    const ProcessResult r = run_limited(dir, output, limit);
    EXPECT_EQ(r.exit_code, 1) << output << "\n" << r.describe();
    EXPECT_NE(r.err.find((dir.path() / output).string()), std::string::npos) << "the message names the output\n" << r.err;
    EXPECT_EQ(files_in(dir.path() / "out"), std::vector<std::string>{}) << output;
  }
}

TEST(FileSizeLimit, AVideoWithinTheLimitIsWrittenWhole) {
  CVPIPE_SAMPLE_OR_SKIP(video, "vtest.avi");
  const TempDir dir;
  const ProcessResult r = run_limited(dir, "out/v.mp4", "50000000");
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(files_in(dir.path() / "out"), std::vector<std::string>{"v.mp4"});
}

// A full disk: the output folder is a 16 KiB tmpfs mounted in a user and mount namespace of the
// run's own (no root needed; skipped where unprivileged namespaces are off). The run must fail
// with exit 1 naming the output and the folder must be empty afterwards, which the shell inside
// the namespace reports (the mount disappears with it).
TEST(DiskFull, EveryOutputKindFailsCleanlyAndLeavesNoFile) {
  CVPIPE_SAMPLE_OR_SKIP(video, "vtest.avi");
  if (run_process({"/usr/bin/unshare", "-Urm", "/bin/true"}, with_timeout(20)).exit_code != 0)
    GTEST_SKIP() << "unprivileged user and mount namespaces are not available";
  for (const std::string output : {"v.mp4", "frames"}) {
    const TempDir dir;
    fs::create_directories(dir / "out");
    const std::string script =
        "mount -t tmpfs -o size=16k tmpfs out || exit 99\n"
        "\"$0\" run \"$1\" --input \"$2\" --output \"out/$3\" --max-frames 30 --quiet\n"
        "code=$?\n"
        "echo \"left: $(find out -type f | tr '\\n' ' ')\"\n"
        "exit $code\n";
    ProcessOptions options;
    options.cwd = dir.path();
    options.timeout_s = 120;
    const ProcessResult r = run_process({"/usr/bin/unshare", "-Urm", "/bin/sh", "-c", script, CVPIPE_BIN,
                                         (source_dir() / "configs/blur.yaml").string(), video.string(), output},
                                        options);
    ASSERT_NE(r.exit_code, 99) << "cannot mount a tmpfs: " << r.describe();
    EXPECT_EQ(r.exit_code, 1) << output << "\n" << r.describe();
    EXPECT_NE(r.err.find("out/" + output), std::string::npos) << "the message names the output\n" << r.err;
    EXPECT_NE(r.out.find("left: \n"), std::string::npos) << output << ": files left behind\n" << r.out;
  }
}

}  // namespace
}  // namespace cvpipe::test
