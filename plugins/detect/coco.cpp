// COCO datasets: see coco.hpp.
#include "coco.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <span>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "cvpipe/nn/safetensors.hpp"

namespace cvpipe::detect {

namespace {

using json = nlohmann::json;

constexpr int64_t k_max_image_side = 1 << 20;  // pixels; larger is a corrupt file, not an image
constexpr double k_max_coordinate = 1e9;       // pixels, well inside float and int range

// Thrown inside the reader only; carries "PLACE: problem" and becomes one invalid_argument Status.
struct BadField {
  std::string message;
};

std::string place(const std::string& array, size_t i, const std::string& key = {}) {
  return array + "[" + std::to_string(i) + "]" + (key.empty() ? "" : "." + key);
}

const json& field(const json& obj, const std::string& where, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) throw BadField{where + ": missing \"" + key + "\""};
  return *it;
}

int64_t get_int(const json& obj, const std::string& where, const std::string& key) {
  const json& v = field(obj, where, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  // Whole floats in int64 range (2^63 itself is not); 1e30 is no id.
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>() && std::fabs(v.get<double>()) < 0x1p63)
    return static_cast<int64_t>(v.get<double>());
  throw BadField{where + "." + key + ": expected an integer, got " + v.dump()};
}

std::string get_string(const json& obj, const std::string& where, const std::string& key) {
  const json& v = field(obj, where, key);
  if (!v.is_string()) throw BadField{where + "." + key + ": expected a string, got " + v.dump()};
  return v.get<std::string>();
}

const json& get_array(const json& obj, const std::string& key) {
  auto it = obj.find(key);
  if (it == obj.end()) throw BadField{"missing top-level \"" + key + "\" array"};
  if (!it->is_array()) throw BadField{"\"" + key + "\" must be an array"};
  return *it;
}

void parse(const json& root, CocoDataset& d) {
  if (!root.is_object()) throw BadField{"the top level must be a JSON object with images, annotations and categories"};
  std::set<int64_t> image_ids, category_ids, annotation_ids;
  const json& images = get_array(root, "images");
  for (size_t i = 0; i < images.size(); ++i) {
    const std::string w = place("images", i);
    if (!images[i].is_object()) throw BadField{w + ": expected an object"};
    CocoImage im;
    im.id = get_int(images[i], w, "id");
    im.file_name = get_string(images[i], w, "file_name");
    const int64_t width = get_int(images[i], w, "width"), height = get_int(images[i], w, "height");
    if (im.file_name.empty()) throw BadField{w + ".file_name: empty"};
    if (width <= 0 || height <= 0 || width > k_max_image_side || height > k_max_image_side)
      throw BadField{w + ": width and height must be in 1.." + std::to_string(k_max_image_side) + ", got " +
                     std::to_string(width) + "x" + std::to_string(height)};
    im.width = static_cast<int>(width);
    im.height = static_cast<int>(height);
    if (!image_ids.insert(im.id).second) throw BadField{w + ".id: duplicate image id " + std::to_string(im.id)};
    d.images.push_back(std::move(im));
  }
  const json& cats = get_array(root, "categories");
  for (size_t i = 0; i < cats.size(); ++i) {
    const std::string w = place("categories", i);
    if (!cats[i].is_object()) throw BadField{w + ": expected an object"};
    CocoCategory c;
    c.id = get_int(cats[i], w, "id");
    c.name = get_string(cats[i], w, "name");
    if (!category_ids.insert(c.id).second) throw BadField{w + ".id: duplicate category id " + std::to_string(c.id)};
    d.categories.push_back(std::move(c));
  }
  const json& anns = get_array(root, "annotations");
  for (size_t i = 0; i < anns.size(); ++i) {
    const std::string w = place("annotations", i);
    if (!anns[i].is_object()) throw BadField{w + ": expected an object"};
    CocoAnnotation a;
    a.id = anns[i].contains("id") ? get_int(anns[i], w, "id") : static_cast<int64_t>(i + 1);
    a.image_id = get_int(anns[i], w, "image_id");
    a.category_id = get_int(anns[i], w, "category_id");
    if (!image_ids.count(a.image_id)) throw BadField{w + ".image_id: no image has id " + std::to_string(a.image_id)};
    if (!category_ids.count(a.category_id))
      throw BadField{w + ".category_id: no category has id " + std::to_string(a.category_id)};
    if (!annotation_ids.insert(a.id).second) throw BadField{w + ".id: duplicate annotation id " + std::to_string(a.id)};
    const json& b = field(anns[i], w, "bbox");
    if (!b.is_array() || b.size() != 4) throw BadField{w + ".bbox: expected [x, y, width, height]"};
    float v[4];
    for (int k = 0; k < 4; ++k) {
      if (!b[k].is_number() || !std::isfinite(b[k].get<double>()) || std::fabs(b[k].get<double>()) > k_max_coordinate)
        throw BadField{w + ".bbox: expected 4 finite numbers within +-" + std::to_string(static_cast<int64_t>(k_max_coordinate))};
      v[k] = static_cast<float>(b[k].get<double>());
    }
    if (v[2] <= 0.f) throw BadField{w + ".bbox: width must be > 0"};
    if (v[3] <= 0.f) throw BadField{w + ".bbox: height must be > 0"};
    a.bbox = cv::Rect2f(v[0], v[1], v[2], v[3]);
    if (auto it = anns[i].find("iscrowd"); it != anns[i].end()) {
      if (!it->is_number_integer() && !it->is_boolean()) throw BadField{w + ".iscrowd: expected 0 or 1"};
      a.iscrowd = it->is_boolean() ? it->get<bool>() : it->get<int64_t>() != 0;
    }
    d.annotations.push_back(a);
  }
}

}  // namespace

int CocoDataset::class_index(int64_t category_id) const {
  for (size_t i = 0; i < categories.size(); ++i)
    if (categories[i].id == category_id) return static_cast<int>(i);
  return -1;
}

std::vector<std::vector<const CocoAnnotation*>> CocoDataset::annotations_by_image() const {
  std::unordered_map<int64_t, size_t> pos;
  for (size_t i = 0; i < images.size(); ++i) pos[images[i].id] = i;
  std::vector<std::vector<const CocoAnnotation*>> out(images.size());
  for (const auto& a : annotations)
    if (auto it = pos.find(a.image_id); it != pos.end()) out[it->second].push_back(&a);
  return out;
}

Status read_coco(const std::filesystem::path& dir, CocoDataset& out) {
  std::error_code ec;
  const bool is_file = dir.extension() == ".json" && !std::filesystem::is_directory(dir, ec);
  const std::filesystem::path file = is_file ? dir : dir / "annotations.json";
  if (!std::filesystem::exists(dir, ec)) return Status::not_found("COCO dataset '" + dir.string() + "' does not exist");
  if (!std::filesystem::is_regular_file(file, ec))
    return Status::not_found("COCO dataset '" + dir.string() + "': no annotations.json in it (expected images/ and annotations.json)");
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::io("cannot open '" + file.string() + "'");
  std::stringstream text;
  text << in.rdbuf();
  return parse_coco(text.str(), file, out);
}

Status parse_coco(std::string_view text, const std::filesystem::path& file, CocoDataset& out) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range for a number such as 1e99999
    std::string what = e.what();  // "[json.exception.parse_error.101] parse error at line 3, column 5: ..."
    if (auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    return Status::invalid(file.string() + ": not valid JSON: " + what);
  }
  CocoDataset d;
  d.root = file.parent_path();
  try {
    parse(root, d);
  } catch (const BadField& e) {
    return Status::invalid(file.string() + ": " + e.message);
  } catch (const json::exception& e) {
    return Status::invalid(file.string() + ": " + e.what());
  }
  out = std::move(d);
  return {};
}

Status write_coco(const CocoDataset& d) {
  nlohmann::ordered_json root;
  root["info"] = {{"description", "cvpipe detection dataset"}};
  auto images = nlohmann::ordered_json::array();
  for (const auto& im : d.images)
    images.push_back({{"id", im.id}, {"file_name", im.file_name}, {"width", im.width}, {"height", im.height}});
  auto anns = nlohmann::ordered_json::array();
  for (const auto& a : d.annotations) {
    const auto r = [](float v) { return std::round(v * 100.0) / 100.0; };
    anns.push_back({{"id", a.id},
                    {"image_id", a.image_id},
                    {"category_id", a.category_id},
                    {"bbox", {r(a.bbox.x), r(a.bbox.y), r(a.bbox.width), r(a.bbox.height)}},
                    {"area", r(a.bbox.area())},
                    {"iscrowd", a.iscrowd ? 1 : 0}});
  }
  auto cats = nlohmann::ordered_json::array();
  for (const auto& c : d.categories) cats.push_back({{"id", c.id}, {"name", c.name}});
  root["images"] = std::move(images);
  root["annotations"] = std::move(anns);
  root["categories"] = std::move(cats);
  const std::string text = root.dump(1);
  std::error_code ec;
  std::filesystem::create_directories(d.root, ec);
  if (ec) return Status::io("cannot create folder '" + d.root.string() + "': " + ec.message());
  return nn::write_file_atomic(d.root / "annotations.json", std::as_bytes(std::span<const char>(text.data(), text.size())), false);
}

}  // namespace cvpipe::detect
