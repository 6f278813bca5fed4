// The model-file schema: save_model() writes one key set that read_model_info() validates with
// errors naming the file and key; the earlier classify / gan / denoise dialects still read; every
// shipped model in models/ reads (a missing one fails).
#include "cvpipe/nn/model_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "cvpipe/nn/layers.hpp"
#include "cvpipe/nn/containers.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::nn {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::map<std::string, std::string>& meta) {
  ModelInfo info;
  const Status s = read_model_info(meta, "m.safetensors", info);
  EXPECT_STATUS(s, invalid_argument);
  return s.message();
}

TEST(ModelFile, WritesTheSchemaAndReadsItBack) {
  Sequential net;
  net.emplace<Linear>("fc", 2, 3);
  Params recipe;
  recipe.set("steps", int64_t{5});
  recipe.set("out", std::string("runs/x"));
  CommandContext ctx;
  ctx.command_line = "cvpipe train x.yaml --out runs/x";
  ModelInfo info = trained_by(recipe, ctx);
  info.architecture = R"({"type":"tiny","width":3})";
  info.class_names = {"a", "b", "c"};
  info.extra["val_acc"] = "0.5";
  const fs::path path = fs::temp_directory_path() / ("model_file_" + std::to_string(::getpid()) + ".safetensors");
  ASSERT_OK(save_model(path, net, info));

  SafeTensors st;
  ASSERT_OK(SafeTensors::load(path, st));
  EXPECT_EQ(st.metadata.at("format"), "pt");
  EXPECT_EQ(st.metadata.at("cvpipe.model"), "1");
  EXPECT_EQ(st.metadata.at("cvpipe.version"), cvpipe_version());
  EXPECT_EQ(st.metadata.at("class_names"), R"(["a","b","c"])");
  EXPECT_EQ(st.metadata.at("recipe"), R"({"out":"runs/x","steps":5})");
  EXPECT_EQ(st.metadata.at("command"), "cvpipe train x.yaml --out runs/x");

  Sequential other;
  other.emplace<Linear>("fc", 2, 3);
  ModelInfo read;
  ASSERT_OK(load_model(path, other, &read));
  EXPECT_EQ(read.architecture_type(), "tiny");
  EXPECT_EQ(read.preprocessing, "{}");
  EXPECT_EQ(read.class_names, info.class_names);
  EXPECT_EQ(read.command, info.command);
  EXPECT_EQ(read.extra, (std::map<std::string, std::string>{{"val_acc", "0.5"}}));
  EXPECT_EQ(other.parameters()[0]->value.to_vector(), net.parameters()[0]->value.to_vector());

  // save_model() refuses what read_model_info() would refuse.
  info.architecture = R"({"width":3})";
  EXPECT_STATUS(save_model(path, net, info), invalid_argument);
  fs::remove(path);
  EXPECT_STATUS(load_model(path, other), not_found);
}

TEST(ModelFile, ErrorsNameTheFileAndTheKey) {
  EXPECT_NE(error_of({{"format", "pt"}}).find("m.safetensors: not a cvpipe model file: metadata has no 'architecture'"),
            std::string::npos);
  EXPECT_NE(error_of({{"architecture", "[1]"}}).find("m.safetensors: metadata 'architecture' is not a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of({{"architecture", "{}"}}).find("'architecture' has no \"type\""), std::string::npos);
  EXPECT_NE(error_of({{"architecture", R"({"type":"x"})"}, {"preprocessing", "nope"}}).find("'preprocessing' is not a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of({{"architecture", R"({"type":"x"})"}, {"class_names", R"(["a",1])"}}).find("'class_names' is not a JSON array of strings"),
            std::string::npos);
  EXPECT_NE(error_of({{"architecture", R"({"type":"x"})"}, {"cvpipe.model", "9"}}).find("model schema version '9'"),
            std::string::npos);
}

TEST(ModelFile, ReadsTheEarlierDialects) {
  ModelInfo info;
  ASSERT_OK(read_model_info({{"format", "cvpipe.classify/1"},
                             {"arch", R"({"name":"cnn","width":32})"},
                             {"preprocess", R"({"width":20})"},
                             {"class_names", R"(["0","1"])"},
                             {"recipe", R"({"epochs":3})"},
                             {"test_accuracy", "0.99"}},
                            "c", info));
  EXPECT_EQ(info.architecture_type(), "classify");
  EXPECT_EQ(info.preprocessing, R"({"width":20})");
  EXPECT_EQ(info.recipe, R"({"epochs":3})");
  EXPECT_EQ(info.extra, (std::map<std::string, std::string>{{"test_accuracy", "0.99"}}));

  ASSERT_OK(read_model_info({{"format", "cvpipe-gan-generator/1"}, {"arch", R"({"type":"cdcgan"})"}, {"training", "{}"}}, "g", info));
  EXPECT_EQ(info.architecture_type(), "cdcgan");
  EXPECT_EQ(info.extra, (std::map<std::string, std::string>{{"training", "{}"}}));

  ASSERT_OK(read_model_info({{"format", "pt"}, {"architecture", R"({"type":"ffdnet"})"}, {"train_params", R"({"steps":"3"})"}}, "d", info));
  EXPECT_EQ(info.recipe, R"({"steps":"3"})");
}

TEST(ModelFile, EveryShippedModelReads) {
  const fs::path models = fs::path(CVPIPE_SOURCE_DIR) / "models";
  for (const char* name : {"classify_digits", "denoise_gray", "denoise_color", "gan_digits"}) {
    const fs::path file = models / (std::string(name) + ".safetensors");
    SafeTensors st;
    ModelInfo info;
    ASSERT_OK(read_model_file(file, st, info));  // a committed model that is missing fails here
    EXPECT_FALSE(info.architecture_type().empty()) << file;
    EXPECT_GT(st.size(), 0u) << file;
  }
}

}  // namespace
}  // namespace cvpipe::nn
