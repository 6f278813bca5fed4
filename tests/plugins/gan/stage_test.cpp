// Stage `gan` driven through its lifecycle, and the built plugin's descriptor.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <filesystem>

#include "cvpipe/nn/init.hpp"
#include "cvpipe/plugin.hpp"
#include "gan_stage.hpp"
#include "latent.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::gan {
namespace {

std::filesystem::path test_dir() {
  return std::filesystem::temp_directory_path() / ("gan_stage_" + std::to_string(::getpid()));
}

class CleanUp : public ::testing::Environment {
 public:
  void TearDown() override { std::filesystem::remove_all(test_dir()); }
};
const auto* const kCleanUp = ::testing::AddGlobalTestEnvironment(new CleanUp);

std::filesystem::path test_model() {
  static std::filesystem::path path = [] {
    auto dir = test_dir();
    std::filesystem::create_directories(dir);
    GanArch a;
    a.z_dim = 16;
    a.g_channels = 32;
    a.d_channels = 8;
    Generator g(a);
    nn::Rng rng(1);
    nn::init_network(g.net(), nn::InitScheme::gan, rng);
    g.train(true);  // BatchNorm statistics of real forwards, so eval-mode outputs vary
    for (int k = 0; k < 30; ++k) {
      std::vector<int> labels(16);
      for (int i = 0; i < 16; ++i) labels[i] = (i + k) % 10;
      g.forward(latent_batch(77, 16 * k, 16, a.z_dim, 0.0), one_hot(labels, 10), 16);
    }
    g.eval();
    auto p = dir / "g.safetensors";
    if (!save_generator(p, g, default_class_names(10)).ok()) throw std::runtime_error("cannot save test model");
    return p;
  }();
  return path;
}

Params stage_params(std::map<std::string, ParamValue> overrides) {
  Params p;
  for (const auto& spec : GanStage::params()) p.set(spec.name, *spec.default_value);
  p.set("model", test_model().string());
  for (auto& [k, v] : overrides) p.set(k, v);
  return p;
}

std::vector<Frame> run(GanStage& stage, const Params& p, StreamInfo* info = nullptr) {
  StageContext ctx;
  ctx.instance_name = "gan";
  Status s = stage.configure(p, ctx);
  EXPECT_OK(s);
  StreamInfo in, out;
  EXPECT_OK(stage.open(in, out));
  if (info) *info = out;
  std::vector<Frame> frames;
  for (int guard = 0; guard < 100000; ++guard) {
    Frame f;
    f.seq = static_cast<std::int64_t>(frames.size());
    s = stage.produce(f);
    if (s.is_end()) break;
    EXPECT_OK(s);
    if (!s.ok()) break;
    frames.push_back(std::move(f));
  }
  EXPECT_OK(stage.close());
  return frames;
}

TEST(GanStage, SamplesAllClassesInTurn) {
  GanStage stage;
  StreamInfo info;
  const auto frames = run(stage, stage_params({{"count", int64_t{23}}, {"batch", int64_t{8}}}), &info);
  ASSERT_EQ(frames.size(), 23u);
  EXPECT_EQ(info.size, cv::Size(32, 32));
  EXPECT_EQ(info.type, CV_8UC1);
  EXPECT_EQ(info.frame_count, 23);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const Frame& f = frames[i];
    EXPECT_EQ(f.seq, static_cast<std::int64_t>(i));
    EXPECT_EQ(f.image.type(), CV_8UC1);
    EXPECT_EQ(f.image.size(), cv::Size(32, 32));
    ASSERT_EQ(f.labels.size(), 1u);
    EXPECT_EQ(f.labels[0].id, static_cast<int>(i % 10));
    EXPECT_EQ(f.labels[0].name, std::to_string(i % 10));
  }
  EXPECT_EQ(frames[12].source, "gan_c2_000012");
}

TEST(GanStage, FixedClassSeedReproducibleAndUpscaled) {
  GanStage a, b, c;
  const auto p = stage_params({{"count", int64_t{5}}, {"class", int64_t{7}}, {"seed", int64_t{1}}});
  const auto fa = run(a, p), fb = run(b, p);
  ASSERT_EQ(fa.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(fa[i].labels[0].id, 7);
    EXPECT_EQ(cv::norm(fa[i].image, fb[i].image, cv::NORM_INF), 0.0);
  }
  EXPECT_EQ(fa[3].source, "gan_c7_000003");
  const auto other = run(c, stage_params({{"count", int64_t{5}}, {"class", int64_t{7}}, {"seed", int64_t{2}}}));
  EXPECT_GT(cv::norm(fa[0].image, other[0].image, cv::NORM_INF), 0.0);
  GanStage d;
  const auto big = run(d, stage_params({{"count", int64_t{2}}, {"size", int64_t{97}}}));
  EXPECT_EQ(big[0].image.size(), cv::Size(97, 97));
}

TEST(GanStage, WalkIsSmoothAndMorphsClasses) {
  GanStage stage;
  StreamInfo info;
  const auto frames = run(stage, stage_params({{"count", int64_t{40}}, {"mode", std::string("walk")},
                                               {"walk_steps", int64_t{10}}}), &info);
  ASSERT_EQ(frames.size(), 40u);
  EXPECT_GT(info.fps, 0.0);
  double step_diff = 0, far_diff = 0;
  for (int i = 1; i < 40; ++i) step_diff += cv::norm(frames[i].image, frames[i - 1].image, cv::NORM_L1);
  for (int i = 10; i < 40; ++i) far_diff += cv::norm(frames[i].image, frames[i - 10].image, cv::NORM_L1);
  EXPECT_LT(step_diff / 39, 0.5 * far_diff / 30) << "neighbouring frames must be much closer than key frames";
  EXPECT_EQ(frames[0].labels[0].id, 0);
  EXPECT_EQ(frames[12].labels[0].id, 1);
  EXPECT_EQ(frames[22].labels[0].id, 2);  // t = smoothstep(0.2) < 0.5: still mostly class 2
  EXPECT_EQ(frames[28].labels[0].id, 3);  // t = smoothstep(0.8) > 0.5: mostly class 3
  EXPECT_LT(frames[0].pts_ns, frames[1].pts_ns);
}

TEST(GanStage, BadParametersAreErrors) {
  GanStage stage;
  StageContext ctx;
  Status s = stage.configure(stage_params({{"class", int64_t{10}}}), ctx);
  EXPECT_EQ(s.code(), StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("class 10"), std::string::npos) << s.message();
  s = stage.configure(stage_params({{"model", std::string("/nonexistent/g.safetensors")}}), ctx);
  EXPECT_EQ(s.code(), StatusCode::not_found);
  EXPECT_NE(s.message().find("/nonexistent/g.safetensors"), std::string::npos);
}

TEST(GanPlugin, DescriptorListsStageAndCommands) {
  const std::string so = std::string(CVPIPE_BUILD_PLUGIN_DIR) + "/libcvpipe_gan.so";
  if (!std::filesystem::exists(so)) GTEST_SKIP() << so << " not built";
  void* h = dlopen(so.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  auto entry = reinterpret_cast<const CvpipePluginDescriptor* (*)()>(dlsym(h, CVPIPE_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr);
  const CvpipePluginDescriptor* d = entry();
  EXPECT_EQ(d->abi_version, CVPIPE_ABI_VERSION);
  EXPECT_STREQ(d->name, "gan");
  ASSERT_EQ(d->stage_count, 1u);
  EXPECT_STREQ(d->stages[0].name, "gan");
  EXPECT_EQ(d->stages[0].kind, StageKind::source);
  ASSERT_EQ(d->command_count, 3u);
  EXPECT_STREQ(d->commands[0].name, "train");
  EXPECT_STREQ(d->commands[1].name, "eval");
  EXPECT_STREQ(d->commands[2].name, "export:cdcgan");
}

}  // namespace
}  // namespace cvpipe::gan
