// The network's packing (pixel-unshuffle + noise map), model files (round trip, refusals).
#include <gtest/gtest.h>

#include <fstream>

#include "cvpipe/nn/checkpoint.hpp"
#include "cvpipe/nn/safetensors.hpp"
#include "network.hpp"
#include "test_support.hpp"
#include "cvpipe/testing/status_matchers.hpp"

namespace cvpipe::denoise {
namespace {

TEST(Network, PackPlacesPixelsAndNoiseMap) {
  cv::Mat img(4, 6, CV_32FC3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 6; ++x)
      for (int c = 0; c < 3; ++c) img.ptr<float>(y)[x * 3 + c] = static_cast<float>(100 * c + 10 * y + x);
  std::vector<float> packed(13 * 2 * 3);
  DenoiseNet::pack(img, 51.0, packed.data());
  const int plane = 2 * 3;
  // plane c*4 + dy*2 + dx, position (i, j) holds pixel (2i+dy, 2j+dx) of channel c
  EXPECT_EQ(packed[(2 * 4 + 1 * 2 + 0) * plane + 1 * 3 + 2], 200 + 10 * 3 + 4);
  EXPECT_EQ(packed[(0 * 4 + 0 * 2 + 1) * plane + 0 * 3 + 1], 0 + 0 + 3);
  for (int k = 0; k < plane; ++k) EXPECT_FLOAT_EQ(packed[12 * plane + k], 0.2f);
  // subtract_noise is the exact inverse arrangement: image - shuffle(unshuffle(image)) == 0.
  std::vector<float> un(12 * plane);
  DenoiseNet::unshuffle(img, un.data());
  const cv::Mat zero = DenoiseNet::subtract_noise(img, un.data());
  EXPECT_EQ(cv::norm(zero, cv::NORM_INF), 0.0);
}

TEST(Network, RejectsBadConfigAndInput) {
  NetConfig c;
  c.channels = 2;
  EXPECT_THROW(DenoiseNet{c}, nn::Error);
  auto net = testing::random_net(1);
  EXPECT_THROW(net->run(cv::Mat(5, 6, CV_32FC1, cv::Scalar(0.5)), 10), nn::Error);  // odd rows
  EXPECT_THROW(net->run(cv::Mat(6, 6, CV_32FC3, cv::Scalar(0.5)), 10), nn::Error);  // channels
}

TEST(Network, SaveLoadRoundTripGivesTheSameOutput) {
  testing::TempDir dir("net");
  auto net = testing::random_net(3, 16, 4);
  const auto path = dir.path / "m.safetensors";
  nn::ModelInfo info;
  info.extra["note"] = "test";
  ASSERT_OK(net->save(path, info));
  std::unique_ptr<DenoiseNet> loaded;
  const Status st = DenoiseNet::load(path, loaded);
  ASSERT_OK(st);
  EXPECT_EQ(loaded->config().channels, 3);
  EXPECT_EQ(loaded->config().features, 16);
  EXPECT_EQ(loaded->config().depth, 4);
  cv::Mat img(32, 48, CV_32FC3);
  cv::randu(img, 0.f, 1.f);
  const cv::Mat a = net->run(img, 20), b = loaded->run(img, 20);
  EXPECT_LT(cv::norm(a, b, cv::NORM_INF), 1e-6);
  EXPECT_GT(cv::norm(a, img, cv::NORM_INF), 1e-4);  // the net does something
}

TEST(Network, LoadRefusesForeignOrDamagedFiles) {
  testing::TempDir dir("bad");
  std::unique_ptr<DenoiseNet> out;
  // Missing file.
  EXPECT_FALSE(DenoiseNet::load(dir.path / "nope.safetensors", out).ok());
  // Valid safetensors without architecture metadata.
  nn::SafeTensors st;
  const float v = 1.f;
  st.set_f32("x", {1}, std::span<const float>(&v, 1));
  ASSERT_OK(st.save(dir.path / "plain.safetensors"));
  Status s = DenoiseNet::load(dir.path / "plain.safetensors", out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("architecture"), std::string::npos) << s.message();
  // Another architecture type.
  st.metadata["architecture"] = R"({"type":"lenet","channels":1})";
  ASSERT_OK(st.save(dir.path / "other.safetensors"));
  s = DenoiseNet::load(dir.path / "other.safetensors", out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("not a denoise model"), std::string::npos) << s.message();
  // Right metadata, wrong tensor shapes (a depth-4 file claiming depth 5).
  auto net = testing::random_net(1, 16, 4);
  ASSERT_OK(net->save(dir.path / "d4.safetensors"));
  nn::SafeTensors d4;
  ASSERT_OK(nn::SafeTensors::load(dir.path / "d4.safetensors", d4));
  d4.metadata["architecture"] = R"({"type":"ffdnet_residual_unshuffle2","channels":1,"features":16,"depth":5,"scale":2})";
  ASSERT_OK(d4.save(dir.path / "lying.safetensors"));
  s = DenoiseNet::load(dir.path / "lying.safetensors", out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("lying.safetensors"), std::string::npos) << s.message();
  // Truncated file.
  {
    std::ifstream in(dir.path / "d4.safetensors", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream o(dir.path / "cut.safetensors", std::ios::binary);
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  }
  EXPECT_FALSE(DenoiseNet::load(dir.path / "cut.safetensors", out).ok());
  EXPECT_EQ(out, nullptr);
}

}  // namespace
}  // namespace cvpipe::denoise
