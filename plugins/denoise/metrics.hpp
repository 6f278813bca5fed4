// Image-quality metrics for denoising: PSNR and SSIM between a result and its clean reference.
// Both take 8U, 16U or 32F images of equal size and type, 1 or more channels; `peak` is the
// largest value of the type's range (255 for 8-bit). SSIM follows Wang et al. 2004 (11x11 Gaussian
// window, sigma 1.5, K1 = 0.01, K2 = 0.03), averaged over pixels and channels. Pure functions.
#pragma once
#include <opencv2/core.hpp>

namespace cvpipe::denoise {

// Peak signal-to-noise ratio in dB; +inf for identical images. Throws cv::Exception on mismatch.
double psnr(const cv::Mat& a, const cv::Mat& b, double peak = 255.0);
double ssim(const cv::Mat& a, const cv::Mat& b, double peak = 255.0);

}  // namespace cvpipe::denoise
