// write_plugin_project: the project `cvpipe plugins new NAME [DIR]` writes. It builds as written
// against an installed cvpipe (find_package(cvpipe)): CMakeLists.txt (Release by default), NAME.cpp
// (one transform stage NAME with one documented parameter), NAME_test.cpp (GoogleTest on
// cvpipe::testing, registered with ctest), pipeline.yaml and README.md. Refuses a NAME that is not
// a valid plugin name ([a-z][a-z0-9_]*) and a DIR that exists and is not empty; writes nothing then.
#pragma once
#include <filesystem>
#include <string>

#include "cvpipe/status.hpp"

namespace cvpipe::cli {

Status write_plugin_project(const std::string& name, const std::filesystem::path& dir);

}  // namespace cvpipe::cli
