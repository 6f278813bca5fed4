// Parameter validation against ParamSpec schemas: conversion, ranges, choices, paths, defaults,
// unknown keys, schema self-checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "schema.hpp"

namespace cvpipe {

namespace fs = std::filesystem;

namespace {

std::string convert(const ParamSpec& s, const std::string& text, ParamValue& v, const fs::path& base = "/base") {
  return convert_text(s, text, base, v);
}

struct Collected {
  std::vector<std::pair<int, std::string>> errors;  // (line, message)
  MapValidation validation(const fs::path& base = "/base") {
    MapValidation v;
    v.base_dir = base;
    v.owner = "stage 'blur'";
    v.error = [this](const YAML::Node& n, const std::string& m) { errors.emplace_back(n.Mark().line + 1, m); };
    return v;
  }
};

const std::vector<ParamSpec> kSchema = {
    ParamSpec::integer("ksize", 5, 1, 31, "kernel size"),
    ParamSpec::number("sigma", 1.5, 0.0, std::nullopt, "blur strength"),
    ParamSpec::choice("border", "reflect", {"reflect", "replicate", "constant"}, "border mode"),
    ParamSpec::boolean("enabled", true, "on/off"),
    ParamSpec::string("label", std::nullopt, "required text"),
};

}  // namespace

TEST(Schema, IntegersAcceptIntegersOnlyWithinRange) {
  const auto s = ParamSpec::integer("k", 3, 1, 31, "");
  ParamValue v;
  EXPECT_EQ(convert(s, "7", v), "");
  EXPECT_EQ(std::get<int64_t>(v), 7);
  EXPECT_EQ(convert(s, "+8", v), "");
  EXPECT_NE(convert(s, "7.5", v).find("expected an integer, got '7.5'"), std::string::npos);
  EXPECT_NE(convert(s, "seven", v).find("expected an integer"), std::string::npos);
  EXPECT_NE(convert(s, "0", v).find("0 is out of range: must be in [1, 31]"), std::string::npos) << convert(s, "0", v);
  EXPECT_NE(convert(s, "32", v).find("out of range"), std::string::npos);
  EXPECT_EQ(convert(s, "31", v), "");  // inclusive
}

TEST(Schema, NumbersAcceptIntegersAndDecimalsAndKeywords) {
  auto s = ParamSpec::number("t", 0.5, 0.0, 1.0, "").also_accepts({"auto"});
  ParamValue v;
  EXPECT_EQ(convert(s, "1", v), "");
  EXPECT_DOUBLE_EQ(std::get<double>(v), 1.0);
  EXPECT_EQ(convert(s, "2.5e-1", v), "");
  EXPECT_DOUBLE_EQ(std::get<double>(v), 0.25);
  EXPECT_EQ(convert(s, "auto", v), "");
  EXPECT_EQ(std::get<std::string>(v), "auto");
  EXPECT_NE(convert(s, "1.5", v).find("must be in [0, 1]"), std::string::npos);
  EXPECT_NE(convert(s, "nan", v).find("expected a number or 'auto'"), std::string::npos);
  EXPECT_NE(convert(s, ".inf", v).find("expected a number"), std::string::npos);
}

TEST(Schema, BooleansAcceptYamlSpellings) {
  const auto s = ParamSpec::boolean("b", false, "");
  ParamValue v;
  for (const char* t : {"true", "True", "yes", "on", "1"}) {
    EXPECT_EQ(convert(s, t, v), "") << t;
    EXPECT_TRUE(std::get<bool>(v));
  }
  for (const char* t : {"false", "NO", "off", "0"}) {
    EXPECT_EQ(convert(s, t, v), "") << t;
    EXPECT_FALSE(std::get<bool>(v));
  }
  EXPECT_NE(convert(s, "maybe", v).find("expected true or false"), std::string::npos);
}

TEST(Schema, ChoicesSuggestTheClosest) {
  const auto s = ParamSpec::choice("method", "telea", {"telea", "ns"}, "");
  ParamValue v;
  EXPECT_EQ(convert(s, "ns", v), "");
  const std::string e = convert(s, "telia", v);
  EXPECT_NE(e.find("'telia' is not one of: telea, ns; did you mean 'telea'?"), std::string::npos) << e;
}

TEST(Schema, PathsResolveAgainstTheBaseAndMayHaveToExist) {
  const fs::path dir = fs::temp_directory_path() / "cvpipe_ut_schema";
  fs::create_directories(dir);
  std::ofstream(dir / "exists.txt") << "x";
  ParamValue v;
  const auto free_path = ParamSpec::path("out", std::string("out"), false, "");
  EXPECT_EQ(convert(free_path, "a/../b/c", v, dir), "");
  EXPECT_EQ(std::get<std::string>(v), (dir / "b/c").string());
  EXPECT_EQ(convert(free_path, "/abs/x", v, dir), "");
  EXPECT_EQ(std::get<std::string>(v), "/abs/x");
  EXPECT_EQ(convert(free_path, "rtsp://cam/1", v, dir), "");
  EXPECT_EQ(std::get<std::string>(v), "rtsp://cam/1");

  const auto must = ParamSpec::path("model", std::nullopt, true, "");
  EXPECT_EQ(convert(must, "exists.txt", v, dir), "");
  const std::string e = convert(must, "missing.bin", v, dir);
  EXPECT_NE(e.find("'" + (dir / "missing.bin").string() + "' does not exist"), std::string::npos) << e;
  // A glob must exist only as a folder.
  EXPECT_EQ(convert(must, "*.jpg", v, dir), "");
  EXPECT_NE(convert(must, "nofolder/*.jpg", v, dir).find("does not exist"), std::string::npos);
  EXPECT_EQ(convert(must, "{a,b}.jpg", v, dir), "") << "brace patterns are globs too";
  fs::remove_all(dir);
}

// A `model` value is a file the host finds: next to the config, then in the documented folders
// (the source tree holds models/); not found is an error that lists every place tried.
TEST(Schema, ModelFilesAreFoundOrTheErrorListsWhereItLooked) {
  const fs::path dir = fs::temp_directory_path() / "cvpipe_ut_schema_model";
  fs::create_directories(dir);
  std::ofstream(dir / "mine.safetensors") << "x";
  ParamValue v;
  const auto model = ParamSpec::model("model", "models/classify_digits.safetensors", "");
  EXPECT_EQ(convert(model, "mine.safetensors", v, dir), "");
  EXPECT_EQ(std::get<std::string>(v), (dir / "mine.safetensors").string());
  EXPECT_EQ(convert(model, "models/gan_digits.safetensors", v, dir), "") << "found in the source tree";
  EXPECT_EQ(std::get<std::string>(v), (fs::path(CVPIPE_SOURCE_DIR) / "models/gan_digits.safetensors").string());
  const std::string e = convert(model, "nope.safetensors", v, dir);
  EXPECT_NE(e.find("model file 'nope.safetensors' not found (looked in: " + (dir / "nope.safetensors").string()),
            std::string::npos) << e;
  EXPECT_EQ(convert(model, "", v, dir), "") << "empty: no model";
  Params out;
  EXPECT_TRUE(fill_defaults({model}, out).empty());
  EXPECT_EQ(out.get_string("model"), (fs::path(CVPIPE_SOURCE_DIR) / "models/classify_digits.safetensors").string())
      << "the plugin's default model is found the same way";
  EXPECT_EQ(std::string(to_string(ParamType::model)), "model");
  fs::remove_all(dir);
}

TEST(Schema, ValidateMapFillsDefaultsAndReportsEveryProblemAtItsLine) {
  const YAML::Node map = YAML::Load(
      "ksize: 40\n"        // line 1: out of range
      "sigma: abc\n"       // line 2: wrong type
      "bordr: reflect\n"   // line 3: unknown key, did you mean
      "enabled: [1, 2]\n"  // line 4: not a scalar
  );
  Collected c;
  Params out;
  EXPECT_FALSE(validate_map(kSchema, map, {}, c.validation(), out));
  ASSERT_EQ(c.errors.size(), 5u);
  EXPECT_EQ(c.errors[0].first, 1);
  EXPECT_NE(c.errors[0].second.find("parameter 'ksize' of stage 'blur': 40 is out of range"), std::string::npos)
      << c.errors[0].second;
  EXPECT_EQ(c.errors[1].first, 2);
  EXPECT_NE(c.errors[1].second.find("expected a number, got 'abc'"), std::string::npos);
  EXPECT_EQ(c.errors[2].first, 3);
  EXPECT_NE(c.errors[2].second.find("stage 'blur' has no parameter 'bordr'; did you mean 'border'?"), std::string::npos)
      << c.errors[2].second;
  EXPECT_EQ(c.errors[3].first, 4);
  EXPECT_NE(c.errors[3].second.find("got a list"), std::string::npos);
  // The required `label` is missing: reported at the map.
  EXPECT_NE(c.errors[4].second.find("stage 'blur' needs parameter 'label'"), std::string::npos) << c.errors[4].second;
}

TEST(Schema, ValidateMapWithNothingGivenUsesDefaults) {
  std::vector<ParamSpec> schema(kSchema.begin(), kSchema.end() - 1);  // without the required one
  Collected c;
  Params out;
  EXPECT_TRUE(validate_map(schema, YAML::Node(), {}, c.validation(), out));
  EXPECT_TRUE(c.errors.empty());
  EXPECT_EQ(out.get_int("ksize"), 5);
  EXPECT_DOUBLE_EQ(out.get_number("sigma"), 1.5);
  EXPECT_EQ(out.get_string("border"), "reflect");
  EXPECT_TRUE(out.get_bool("enabled"));
}

TEST(Schema, ValidateMapSkipsListedKeysAndRejectsDuplicatesAndNulls) {
  const YAML::Node map = YAML::Load("type: x\nlabel: a\nlabel: b\nksize:\n");
  Collected c;
  Params out;
  EXPECT_FALSE(validate_map(kSchema, map, {"type"}, c.validation(), out));
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_NE(c.errors[0].second.find("'label' is given twice"), std::string::npos);
  EXPECT_NE(c.errors[1].second.find("'ksize' of stage 'blur' has no value"), std::string::npos) << c.errors[1].second;
}

TEST(Schema, ValidateTextsForCommandLineOptions) {
  Params out;
  auto errors = validate_texts(kSchema, {{"ksize", "7"}, {"label", "x"}, {"enabld", "true"}}, "/", "eval", "option", out);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("eval has no option 'enabld'; did you mean 'enabled'?"), std::string::npos) << errors[0];
  EXPECT_EQ(out.get_int("ksize"), 7);
  Params out2;
  errors = validate_texts(kSchema, {}, "/", "eval", "option", out2);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("eval needs option 'label'"), std::string::npos) << errors[0];
}

TEST(Schema, CheckSchemaCatchesAuthorMistakes) {
  EXPECT_EQ(check_schema(kSchema), "");
  EXPECT_NE(check_schema({ParamSpec::integer("k", 40, 1, 31, "")}).find("default 40 is out of range: must be in [1, 31]"), std::string::npos);
  EXPECT_NE(check_schema({ParamSpec::boolean("a", true, ""), ParamSpec::boolean("a", true, "")}).find("declared twice"),
            std::string::npos);
  EXPECT_NE(check_schema({ParamSpec::boolean("a.b", true, "")}).find("contains '.'"), std::string::npos);
  auto bad_choice = ParamSpec::choice("m", "x", {"a", "b"}, "");
  EXPECT_NE(check_schema({bad_choice}).find("not one of its choices"), std::string::npos);
  ParamSpec wrong_type = ParamSpec::integer("n", 1, std::nullopt, std::nullopt, "");
  wrong_type.default_value = std::string("one");
  EXPECT_NE(check_schema({wrong_type}).find("'one' is not a number"), std::string::npos);
}

TEST(Schema, ConstraintAndExpectedTexts) {
  EXPECT_EQ(constraint_text(ParamSpec::integer("k", 3, 1, 31, "")), "in [1, 31]");
  EXPECT_EQ(constraint_text(ParamSpec::number("s", 0.0, 0.0, std::nullopt, "")), ">= 0");
  EXPECT_EQ(constraint_text(ParamSpec::choice("m", "a", {"a", "b"}, "")), "one of: a, b");
  EXPECT_EQ(constraint_text(ParamSpec::path("p", std::nullopt, true, "")), "must exist");
  EXPECT_EQ(expected_text(ParamSpec::boolean("b", true, "")), "true or false");
}

}  // namespace cvpipe

namespace cvpipe {
namespace {

TEST(Params, UndeclaredOrMistypedReadsSayWhich) {
  Params p;
  p.set("sigma", 1.5);
  p.set("mode", std::string("fast"));
  EXPECT_EQ(p.get_int("sigma"), 1);
  try {
    (void)p.get_number("radius");
    ADD_FAILURE() << "an undeclared parameter must throw";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "parameter 'radius' is not declared in params() (declared: mode, sigma)");
  }
  try {
    (void)p.get_number("mode");
    ADD_FAILURE() << "a string read as a number must throw";
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "parameter 'mode' holds a string, read as a number");
  }
  EXPECT_THROW((void)p.get_bool("sigma"), std::logic_error);
}

}  // namespace
}  // namespace cvpipe
