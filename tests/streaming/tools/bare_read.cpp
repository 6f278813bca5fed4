// cvpipe_bare_read VIDEO [REPEATS]: the baseline of the null-pipeline benchmark (docs/BENCHMARKS.md,
// "Streaming"): reads every frame of VIDEO with a plain cv::VideoCapture loop (FFmpeg back end, as
// the video source does), REPEATS times, and prints one JSON line per pass:
// {"frames":N,"seconds":S,"fps":F}. Not a test: a measuring tool.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <opencv2/videoio.hpp>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cvpipe_bare_read VIDEO [REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 1;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    cv::VideoCapture cap(argv[1], cv::CAP_FFMPEG);
    if (!cap.isOpened()) {
      std::fprintf(stderr, "cvpipe_bare_read: cannot open %s\n", argv[1]);
      return 1;
    }
    cv::Mat frame;
    long frames = 0;
    while (cap.read(frame)) ++frames;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("{\"frames\":%ld,\"seconds\":%.6f,\"fps\":%.3f}\n", frames, s, s > 0 ? frames / s : 0.0);
    std::fflush(stdout);
  }
  return 0;
}
