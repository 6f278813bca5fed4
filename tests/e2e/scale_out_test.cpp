// Scale-out (docs/scale-out.md): `mpirun -np 2 cvpipe train|run|eval` gives what one process gives:
// data-parallel training reaches the same metrics and its checkpoint resumes with another rank
// count, a sharded run over a folder writes the same files and the same merged jsonl, sharded
// evaluation prints the same numbers, and a failing rank ends the job naming itself. Skipped (with
// the reason) when cvpipe was built without MPI or mpirun is missing.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "e2e_common.hpp"

namespace cvpipe::test {
namespace {

namespace fs = std::filesystem;

#define SKIP_WITHOUT_MPI()                                                                                  \
  if (std::string(CVPIPE_MPIEXEC).empty()) GTEST_SKIP() << "cvpipe was built without MPI (CVPIPE_WITH_MPI)"; \
  if (!fs::exists(CVPIPE_MPIEXEC)) GTEST_SKIP() << "mpirun is missing: " << CVPIPE_MPIEXEC

// `mpirun -np N cvpipe ARGS...` (oversubscribed: the test machine may have fewer cores), each rank
// on one compute thread.
ProcessResult mpi_cvpipe(int ranks, const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv = {CVPIPE_MPIEXEC, "--oversubscribe", "--bind-to", "none", "-np", std::to_string(ranks), CVPIPE_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.cwd = cwd;
  options.timeout_s = 120;
  options.env = {{"OMPI_ALLOW_RUN_AS_ROOT", "1"}, {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"}, {"OMP_NUM_THREADS", "1"},
                 {"OMP_WAIT_POLICY", "passive"}, {"OMPI_MCA_btl_vader_single_copy_mechanism", "none"},
                 {"OMPI_MCA_mpi_yield_when_idle", "1"}};
  return run_process(argv, options);
}

nlohmann::json last_json(const std::string& out) {
  const auto at = out.rfind("\n{");
  return nlohmann::json::parse(at == std::string::npos ? out : out.substr(at + 1));
}

// A tiny denoiser recipe: a few steps on two photos, validation on one crop.
void write_tiny_denoise_recipe(const fs::path& file) {
  write_file(file, R"(plugin: denoise
command: train
params:
  channels: 1
  features: 8
  depth: 3
  patch: 24
  batch: 4
  steps: 6
  epoch_steps: 3
  warmup: 1
  lr: 0.001
  dtype: f32
  photos: baboon.jpg,fruits.jpg
  val_photos: butterfly.jpg
  val_crop: 48
)");
}

TEST(ScaleOut, DataParallelTrainingMatchesOneProcessAndResumesWithAnyRankCount) {
  SKIP_WITHOUT_MPI();
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  write_tiny_denoise_recipe(dir / "tiny.yaml");
  const auto one = cvpipe({"train", "tiny.yaml", "--out", "one", "--threads", "1", "--quiet"}, dir.path());
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  const auto two = mpi_cvpipe(2, {"train", "tiny.yaml", "--out", "two", "--threads", "1", "--quiet"}, dir.path());
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  const auto j1 = last_json(one.out), j2 = last_json(two.out);
  EXPECT_EQ(j2["ranks"], 2) << two.out;
  EXPECT_GT(j2["allreduce_bytes_per_step"].get<double>(), 0.0) << two.out;
  // The same global batches and averaged gradients: the same model up to float rounding.
  for (const char* key : {"val_psnr_s10", "val_psnr_s25", "val_psnr_s50"})
    EXPECT_NEAR(j1[key].get<double>(), j2[key].get<double>(), 0.02) << key << "\n" << one.out << "\n" << two.out;
  EXPECT_NEAR(j1["loss"].get<double>(), j2["loss"].get<double>(), 1e-3 + 0.01 * j1["loss"].get<double>());
  // Rank 0 alone writes: one summary, one model, one checkpoint, metrics.
  EXPECT_TRUE(fs::exists(dir / "two" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(dir / "two" / "checkpoint.safetensors"));
  EXPECT_TRUE(fs::exists(dir / "two" / "metrics.csv"));
  EXPECT_EQ(two.out.find("\"ranks\""), two.out.rfind("\"ranks\"")) << "one summary:\n" << two.out;
  // A one-process checkpoint continues on two ranks, and a two-rank one on one process.
  const auto resumed2 = mpi_cvpipe(2, {"train", "tiny.yaml", "--out", "one", "--set", "steps=8", "--threads", "1", "--quiet",
                                       "--resume", "one/checkpoint.safetensors"}, dir.path());
  ASSERT_EQ(resumed2.exit_code, 0) << resumed2.describe();
  EXPECT_EQ(last_json(resumed2.out)["steps"], 8);
  const auto resumed1 = cvpipe({"train", "tiny.yaml", "--out", "two", "--set", "steps=8", "--threads", "1", "--quiet", "--resume",
                                "two/checkpoint.safetensors"}, dir.path());
  ASSERT_EQ(resumed1.exit_code, 0) << resumed1.describe();
  EXPECT_EQ(last_json(resumed1.out)["steps"], 8);
}

TEST(ScaleOut, FailingRankEndsTheJobNamingItself) {
  SKIP_WITHOUT_MPI();
  CVPIPE_SAMPLE_OR_SKIP(baboon, "baboon.jpg");
  TempDir dir;
  write_tiny_denoise_recipe(dir / "tiny.yaml");
  const auto r = mpi_cvpipe(2, {"train", "tiny.yaml", "--out", "o", "--set", "batch=3", "--threads", "1", "--quiet"}, dir.path());
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("of 2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not divide into 2 ranks"), std::string::npos) << r.err;
}

TEST(ScaleOut, ShardedRunOverAFolderWritesWhatOneProcessWrites) {
  SKIP_WITHOUT_MPI();
  TempDir dir;
  fs::create_directories(dir / "in");
  cv::RNG rng(7);
  for (int i = 0; i < 7; ++i) {  // an odd count: the ranks get 4 and 3 items
    cv::Mat m(24 + i, 32, CV_8UC3);
    rng.fill(m, cv::RNG::UNIFORM, 0, 255);
    ASSERT_TRUE(cv::imwrite((dir / "in" / ("img" + std::to_string(i) + ".png")).string(), m));
  }
  // add_noise draws each frame's noise from its seq: a wrong global numbering shows in the pixels.
  write_file(dir / "p.yaml", R"(source: {type: images, path: in}
stages: [{stage: add_noise, params: {sigma: 20, seed: 3}}]
sinks:
  - {type: images, path: out}
  - {type: jsonl, path: out.jsonl}
)");
  const auto one = cvpipe({"run", "p.yaml", "--quiet", "-o", "one", "--set", "sinks.1.path=one.jsonl"}, dir.path());
  ASSERT_EQ(one.exit_code, 0) << one.describe();
  const auto two = mpi_cvpipe(2, {"run", "p.yaml", "--quiet", "-o", "two", "--set", "sinks.1.path=two.jsonl"}, dir.path());
  ASSERT_EQ(two.exit_code, 0) << two.describe();
  ASSERT_EQ(list_files(dir / "one"), list_files(dir / "two"));
  for (const auto& name : list_files(dir / "one"))
    EXPECT_EQ(read_text(dir / "one" / name), read_text(dir / "two" / name)) << name;
  EXPECT_EQ(read_text(dir / "one.jsonl"), read_text(dir / "two.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "two.rank0.jsonl"));
  EXPECT_FALSE(fs::exists(dir / "two.rank1.jsonl"));
  // A source that is not sharded runs on rank 0 alone; the other rank ends at once.
  write_file(dir / "g.yaml", "source: {type: generate, stage: counter, params: {count: 3}}\nsinks: [{type: jsonl, path: g.jsonl}]\n");
  const auto unsharded = mpi_cvpipe(2, {"run", "g.yaml", "--quiet", "--plugin-path", E2E_PLUGIN_DIR}, dir.path());
  ASSERT_EQ(unsharded.exit_code, 0) << unsharded.describe();
  const std::string lines = read_text(dir / "g.jsonl");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3) << lines;
  // A sink that cannot take frames from two processes is refused as a config error.
  const auto video = mpi_cvpipe(2, {"run", "p.yaml", "--quiet", "-o", "v.avi"}, dir.path());
  EXPECT_NE(video.exit_code, 0);
  EXPECT_NE(video.err.find("cannot be written by 2 ranks"), std::string::npos) << video.err;
}

TEST(ScaleOut, ShardedEvalPrintsWhatOneProcessPrints) {
  SKIP_WITHOUT_MPI();
  CVPIPE_SAMPLE_OR_SKIP(digits, "digits.png");
  CVPIPE_SAMPLE_OR_SKIP(fruits, "fruits.jpg");
  TempDir dir;
  const std::vector<std::string> classify = {"eval", "classify", "--limit_per_class", "15", "--json", "--threads", "1"};
  const auto c1 = cvpipe(classify, dir.path());
  ASSERT_EQ(c1.exit_code, 0) << c1.describe();
  const auto c2 = mpi_cvpipe(2, classify, dir.path());
  ASSERT_EQ(c2.exit_code, 0) << c2.describe();
  const auto a = nlohmann::json::parse(c1.out), b = nlohmann::json::parse(c2.out);
  for (const char* key : {"accuracy", "n", "per_class", "confusion"}) EXPECT_EQ(a[key], b[key]) << key;

  fs::create_directories(dir / "clean");
  for (const char* name : {"fruits.jpg", "baboon.jpg", "butterfly.jpg"}) fs::copy_file(data_dir() / name, dir / "clean" / name);
  const std::vector<std::string> denoise = {"eval", "denoise", "--images", "clean", "--crop", "64", "--no-nlmeans",
                                            "--json", "--threads", "1"};
  const auto d1 = cvpipe(denoise, dir.path());
  ASSERT_EQ(d1.exit_code, 0) << d1.describe();
  const auto d2 = mpi_cvpipe(2, denoise, dir.path());
  ASSERT_EQ(d2.exit_code, 0) << d2.describe();
  const auto x = nlohmann::json::parse(d1.out), y = nlohmann::json::parse(d2.out);
  for (const char* key : {"psnr", "ssim", "psnr_noisy", "n"}) EXPECT_NEAR(x[key].get<double>(), y[key].get<double>(), 1e-9) << key;
  ASSERT_EQ(x["per_image"].size(), y["per_image"].size());
  for (std::size_t i = 0; i < x["per_image"].size(); ++i) EXPECT_EQ(x["per_image"][i]["image"], y["per_image"][i]["image"]);
}

}  // namespace
}  // namespace cvpipe::test
