// Training metrics table and its CSV form. See metrics_log.hpp.
#include "cvpipe/nn/metrics_log.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cvpipe/nn/safetensors.hpp"  // write_file_atomic

namespace cvpipe::nn {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(std::move(cell));
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  out.push_back(std::move(cell));
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

bool parse_double(const std::string& s, double& v) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, v);
  return ec == std::errc() && p == end;
}

}  // namespace

void MetricsLog::add(std::int64_t step, std::int64_t epoch, double lr, const Metrics& metrics) {
  if (rows_.empty() || rows_.back().step != step) rows_.push_back(Row{step, epoch, lr, {}});
  Row& row = rows_.back();
  for (const auto& [name, value] : metrics) {
    if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) columns_.push_back(name);
    row.values[name] = value;
  }
}

std::vector<std::pair<double, double>> MetricsLog::series(const std::string& name) const {
  std::vector<std::pair<double, double>> out;
  for (const auto& r : rows_)
    if (auto it = r.values.find(name); it != r.values.end()) out.emplace_back(static_cast<double>(r.step), it->second);
  return out;
}

std::optional<double> MetricsLog::last(const std::string& name) const {
  for (auto r = rows_.rbegin(); r != rows_.rend(); ++r)
    if (auto it = r->values.find(name); it != r->values.end()) return it->second;
  return std::nullopt;
}

void MetricsLog::truncate_after(std::int64_t max_step) {
  std::erase_if(rows_, [&](const Row& r) { return r.step > max_step; });
}

void MetricsLog::clear() {
  rows_.clear();
  columns_.clear();
}

std::string MetricsLog::to_csv() const {
  std::string out = "step,epoch,lr";
  for (const auto& c : columns_) {
    out += ',';
    out += csv_cell(c);
  }
  out += '\n';
  for (const auto& r : rows_) {
    out += fmt::format("{},{},{:.6g}", r.step, r.epoch, r.lr);
    for (const auto& c : columns_) {
      out += ',';
      if (auto it = r.values.find(c); it != r.values.end()) out += fmt::format("{:.8g}", it->second);
    }
    out += '\n';
  }
  return out;
}

Status MetricsLog::write(const std::filesystem::path& path) const {
  const std::string text = to_csv();
  return write_file_atomic(path, std::as_bytes(std::span(text.data(), text.size())), false);
}

Status MetricsLog::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return Status::not_found(fmt::format("{}: cannot open metrics CSV", path.string()));
  std::string line;
  if (!std::getline(in, line)) return Status::io(fmt::format("{}: empty metrics CSV", path.string()));
  const auto header = split_csv_line(line);
  if (header.size() < 3 || header[0] != "step" || header[1] != "epoch" || header[2] != "lr")
    return Status::io(fmt::format("{}:1: not a metrics CSV (expected 'step,epoch,lr,...')", path.string()));
  MetricsLog log;
  log.columns_.assign(header.begin() + 3, header.end());
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    const auto cells = split_csv_line(line);
    double step, epoch, lr;
    if (cells.size() != header.size() || !parse_double(cells[0], step) || !parse_double(cells[1], epoch) ||
        !parse_double(cells[2], lr))
      return Status::io(fmt::format("{}:{}: malformed metrics row", path.string(), line_no));
    Row row{static_cast<std::int64_t>(step), static_cast<std::int64_t>(epoch), lr, {}};
    for (std::size_t i = 3; i < cells.size(); ++i) {
      if (cells[i].empty()) continue;
      double v;
      if (!parse_double(cells[i], v))
        return Status::io(fmt::format("{}:{}: bad value '{}' for '{}'", path.string(), line_no, cells[i], header[i]));
      row.values[header[i]] = v;
    }
    log.rows_.push_back(std::move(row));
  }
  *this = std::move(log);
  return Status::success();
}

}  // namespace cvpipe::nn
