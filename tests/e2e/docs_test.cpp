// docs/config.md documents every built-in source and sink type and each of their options.
#include <gtest/gtest.h>

#include "io/io.hpp"
#include "support/process.hpp"

namespace cvpipe::test {
namespace {

// The text of the "### <title>" section of docs/config.md ("" when absent).
std::string section(const std::string& doc, const std::string& title) {
  const auto start = doc.find("\n### " + title + "\n");
  if (start == std::string::npos) return {};
  const auto end = doc.find("\n### ", start + 5);
  return doc.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(ConfigReference, DocumentsEverySourceAndSinkOption) {
  const std::string doc = read_text(std::string(CVPIPE_SOURCE_DIR) + "/docs/config.md");
  ASSERT_FALSE(doc.empty()) << "docs/config.md is missing";
  for (const auto& type : io::source_types()) {
    const std::string s = section(doc, "source: " + type);
    ASSERT_FALSE(s.empty()) << "no section '### source: " << type << "'";
    for (const auto& p : *io::source_params(type)) EXPECT_NE(s.find("`" + p.name + "`"), std::string::npos) << type << "." << p.name;
  }
  for (const auto& type : io::sink_types()) {
    const std::string s = section(doc, "sink: " + type);
    ASSERT_FALSE(s.empty()) << "no section '### sink: " << type << "'";
    for (const auto& p : *io::sink_params(type)) EXPECT_NE(s.find("`" + p.name + "`"), std::string::npos) << type << "." << p.name;
  }
}

}  // namespace
}  // namespace cvpipe::test
