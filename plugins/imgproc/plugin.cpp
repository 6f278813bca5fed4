// The imgproc plugin: classical OpenCV stages (resize, crop, color, gaussian_blur, median_blur,
// bilateral, nlmeans, inpaint_classic, draw, grid). Each stage lives in its own file.
#include "bilateral.hpp"
#include "color.hpp"
#include "crop.hpp"
#include "cvpipe/plugin.hpp"
#include "draw.hpp"
#include "gaussian_blur.hpp"
#include "grid.hpp"
#include "inpaint_classic.hpp"
#include "median_blur.hpp"
#include "nlmeans.hpp"
#include "resize.hpp"

namespace {

using cvpipe::stage_entry;
namespace ip = cvpipe::imgproc;

const cvpipe::StageEntry kStages[] = {
    stage_entry<ip::Resize>("resize", "scale frames to a size or by a factor"),
    stage_entry<ip::Crop>("crop", "keep a rectangle of each frame"),
    stage_entry<ip::Color>("color", "convert to gray, BGR, RGB, HSV or Lab"),
    stage_entry<ip::GaussianBlur>("gaussian_blur", "Gaussian smoothing"),
    stage_entry<ip::MedianBlur>("median_blur", "median filter (salt-and-pepper noise)"),
    stage_entry<ip::Bilateral>("bilateral", "edge-preserving bilateral smoothing"),
    stage_entry<ip::NlMeans>("nlmeans", "non-local means denoising (OpenCV fastNlMeansDenoising)"),
    stage_entry<ip::InpaintClassic>("inpaint_classic", "fill masked pixels (Telea or Navier-Stokes)"),
    stage_entry<ip::Draw>("draw", "draw detections and the top label onto frames"),
    stage_entry<ip::Grid>("grid", "tile frames into contact sheets"),
};

}  // namespace

CVPIPE_PLUGIN("imgproc", "1.0.0", kStages, nullptr)
