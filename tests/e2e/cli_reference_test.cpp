// The command-line contract lives in the repository: docs/cli.md names every `cvpipe` subcommand
// that `cvpipe --help` lists, and no project file points to documents outside the repository.
#include <gtest/gtest.h>

#include <sstream>

#include "e2e_common.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

// The subcommand names of a CLI11 `--help` text: the first word of each line of the block under
// "Subcommands:" (CLI11 2.x) or "SUBCOMMANDS:" (1.x), up to the next empty line.
std::vector<std::string> subcommands(const std::string& help) {
  std::vector<std::string> names;
  std::istringstream lines(help);
  std::string line;
  bool in_list = false;
  while (std::getline(lines, line)) {
    if (line == "Subcommands:" || line == "SUBCOMMANDS:") {
      in_list = true;
      continue;
    }
    if (!in_list) continue;
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) break;
    names.push_back(name);
  }
  return names;
}

TEST(CliReference, DocumentsEverySubcommand) {
  const TempDir dir;
  const ProcessResult r = cvpipe({"--help"}, dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  const std::vector<std::string> names = subcommands(r.out);
  ASSERT_GE(names.size(), 6u) << r.out;
  const std::string doc = read_text(source_dir() / "docs/cli.md");
  ASSERT_FALSE(doc.empty()) << "docs/cli.md is missing";
  for (const auto& name : names) EXPECT_NE(doc.find("cvpipe " + name), std::string::npos) << name;
}

TEST(CliReference, NoProjectFileRefersOutsideTheRepository) {
  // Assembled at run time so that this file does not match itself.
  const std::vector<std::string> outside = {std::string("../") + "shared", std::string("shared/") + "CLI.md",
                                            std::string("shared/") + "DESIGN.md"};
  const std::vector<std::string> roots = {"apps", "bench", "cmake", "configs", "docs", "examples", "nn",
                                          "pipeline", "plugins", "scripts", "tests", "models"};
  std::vector<fs::path> files = {source_dir() / "README.md", source_dir() / "Makefile",
                                 source_dir() / "CMakeLists.txt"};
  for (const auto& root : roots) {
    if (!fs::exists(source_dir() / root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(source_dir() / root)) {
      if (!entry.is_regular_file()) continue;
      const std::string ext = entry.path().extension().string();
      if (ext == ".safetensors" || ext == ".png" || ext == ".jpg" || ext == ".avi" || ext == ".mp4") continue;
      files.push_back(entry.path());
    }
  }
  std::size_t checked = 0;
  for (const auto& file : files) {
    const std::string text = read_text(file);
    ++checked;
    for (const auto& ref : outside) EXPECT_EQ(text.find(ref), std::string::npos) << file << " mentions " << ref;
  }
  EXPECT_GT(checked, 100u);
}

}  // namespace
}  // namespace cvpipe::test
