// Command "data:digit-scenes": see commands.hpp.
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "cvpipe/progress.hpp"
#include "digit_scenes.hpp"

namespace cvpipe::detect {

std::vector<ParamSpec> digit_scenes_params() {
  return {
      ParamSpec::choice("split", "train", {"train", "test"},
                        "train: digits.png columns 0-49 on the train photos; test: columns 50-99 on the held-out photos"),
      ParamSpec::integer("count", 1000, 1, 10000000, "number of scenes"),
      ParamSpec::integer("seed", 1, 0, 9.0e18, "random seed: the same seed gives the same scenes"),
      ParamSpec::path("out", std::nullopt, false, "output folder (images/ and annotations.json are written in it)"),
      ParamSpec::path("data", std::string(), false, "folder holding digits.png and the photos (default: $CVPIPE_DATA)"),
  };
}

Status run_digit_scenes(const Params& p, const CommandContext& ctx, std::string& output) {
  return guard([&]() -> Status {
    const bool test = p.get_string("split") == "test";
    SceneSources sources;
    CVPIPE_RETURN_IF_ERROR(load_scene_sources(p.get_string("data"), test, sources));
    const int64_t count = p.get_int("count");
    const auto seed = static_cast<uint64_t>(p.get_int("seed"));
    ProgressBar bar({ProgressBar::terminal_enabled(ctx.quiet), "digit-scenes", count, "scenes"});
    CocoDataset written;
    CVPIPE_RETURN_IF_ERROR(write_digit_scenes(sources, count, seed, p.get_string("out"), written,
                                              [&](int64_t done) { bar.update(done); }));
    bar.finish();
    nlohmann::ordered_json j;
    j["out"] = written.root.string();
    j["split"] = p.get_string("split");
    j["seed"] = seed;
    j["images"] = written.images.size();
    j["boxes"] = written.annotations.size();
    output = j.dump();
    return {};
  });
}

}  // namespace cvpipe::detect
