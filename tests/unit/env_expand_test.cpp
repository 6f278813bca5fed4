// ${VAR} expansion of config strings.
#include <gtest/gtest.h>

#include <cstdlib>

#include "cvpipe/data.hpp"
#include "env_expand.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe {

TEST(EnvExpand, ReplacesSetVariables) {
  ::setenv("UT_CVPIPE_A", "alpha", 1);
  std::string out;
  ASSERT_OK(expand_env("x/${UT_CVPIPE_A}/${UT_CVPIPE_A}.jpg", out));
  EXPECT_EQ(out, "x/alpha/alpha.jpg");
  ASSERT_OK(expand_env("no variables $HOME here", out));
  EXPECT_EQ(out, "no variables $HOME here");
}

TEST(EnvExpand, UnsetVariableIsAnErrorNamingIt) {
  ::unsetenv("UT_CVPIPE_UNSET");
  std::string out;
  Status st = expand_env("${UT_CVPIPE_UNSET}/x", out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::invalid_argument);
  EXPECT_NE(st.message().find("'UT_CVPIPE_UNSET' is not set"), std::string::npos) << st.message();
}

TEST(EnvExpand, CvpipeDataDefaultsToTheDataDir) {
  const char* old = std::getenv("CVPIPE_DATA");
  std::string saved = old ? old : "";
  ::unsetenv("CVPIPE_DATA");
  std::string out;
  ASSERT_OK(expand_env("${CVPIPE_DATA}/fruits.jpg", out));
  EXPECT_EQ(out, data_dir().string() + "/fruits.jpg");
  ::setenv("CVPIPE_DATA", "/elsewhere", 1);
  ASSERT_OK(expand_env("${CVPIPE_DATA}/fruits.jpg", out));
  EXPECT_EQ(out, "/elsewhere/fruits.jpg");
  if (old) ::setenv("CVPIPE_DATA", saved.c_str(), 1); else ::unsetenv("CVPIPE_DATA");
}

TEST(EnvExpand, FallbackEscapeAndMalformedReferences) {
  ::unsetenv("UT_CVPIPE_UNSET");
  std::string out;
  ASSERT_OK(expand_env("${UT_CVPIPE_UNSET:-out}/a", out));
  EXPECT_EQ(out, "out/a");
  ASSERT_OK(expand_env("$${literal}", out));
  EXPECT_EQ(out, "${literal}");
  EXPECT_FALSE(expand_env("${unclosed", out).ok());
  EXPECT_FALSE(expand_env("${}", out).ok());
  EXPECT_FALSE(expand_env("${1BAD}", out).ok());
}

}  // namespace cvpipe
