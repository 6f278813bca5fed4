// The detection backends behind the Detector interface:
//   cnn:  the plugin's own CenterNet-style network (centernet.hpp) from a model file; classes and
//         labels from the file; score = the heatmap peak's sigmoid.
// and the classical ones (OpenCV's objdetect):
//   haar: cv::CascadeClassifier, one cascade per class (opencv-data's haarcascades by short name,
//         or any cascade .xml by path). score = n / (n + 4), n = the raw windows merged into the box.
//   hog:  cv::HOGDescriptor with OpenCV's default people detector (64x128 window), class "person".
//         score = 1 / (1 + exp(-m)), m = the SVM margin of the box (0.5 on the decision boundary).
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "detector.hpp"

namespace cvpipe::detect {

// Short cascade names and aliases ("face", "eye", "body", "frontalface_alt2", ...), sorted.
std::vector<std::string> cascade_names();
// Resolves a short name or a path to a cascade file and the class label it detects
// (e.g. "face" -> .../haarcascade_frontalface_default.xml, "face"). not_found lists the names.
Status resolve_cascade(const std::string& name, std::filesystem::path& file, std::string& label);

Status create_cnn(const DetectorOptions& options, std::unique_ptr<Detector>& out);
Status create_haar(const DetectorOptions& options, std::unique_ptr<Detector>& out);
Status create_hog(const DetectorOptions& options, std::unique_ptr<Detector>& out);
// onnx: a YOLO-style ONNX model through the onnx plugin's OnnxModel (onnx_detector.cpp).
Status create_onnx(const DetectorOptions& options, std::unique_ptr<Detector>& out);

}  // namespace cvpipe::detect
