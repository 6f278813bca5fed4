// find_model_file: a folder or a FIFO where a model file should be is reported as such (the user
// gave the wrong path), distinct from a file that does not exist anywhere.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "cvpipe/model_file.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::test {
namespace {


TEST(FindModelFile, FolderAndFifoAreNamedNotMissing) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("cvpipe-model-file-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "model.safetensors");
  ASSERT_EQ(::mkfifo((dir / "fifo.safetensors").c_str(), 0600), 0);
  std::filesystem::path found;
  Status s = find_model_file((dir / "model.safetensors").string(), {}, found);
  EXPECT_STATUS(s, invalid_argument);
  EXPECT_NE(s.message().find("is a folder"), std::string::npos) << s.message();
  s = find_model_file((dir / "fifo.safetensors").string(), {}, found);
  EXPECT_STATUS(s, invalid_argument);
  EXPECT_NE(s.message().find("not a regular file"), std::string::npos) << s.message();
  ModelSearch where;
  where.source_dir = dir;  // a relative name found as a folder in one of the places
  s = find_model_file("model.safetensors", where, found);
  EXPECT_STATUS(s, invalid_argument);
  EXPECT_NE(s.message().find((dir / "model.safetensors").string() + "' is a folder"), std::string::npos) << s.message();
  s = find_model_file((dir / "missing.safetensors").string(), {}, found);
  EXPECT_STATUS(s, not_found);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace cvpipe::test
