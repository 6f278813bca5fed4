// MetricsLog: the training metrics table (step, epoch, lr, then one column per metric in order of
// first appearance) kept in memory and written as CSV.
//
// Guarantees: write() replaces the file atomically, so the CSV on disk is always complete; a metric
// missing from a row is an empty cell. Rows are keyed by step: adding metrics for the step of the
// last row merges into it (training and evaluation metrics of one step share a row). load() reads
// a CSV written by this class (used to continue it on resume, dropping rows past the checkpoint).
// Not thread-safe.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cvpipe/status.hpp"

namespace cvpipe::nn {

// Named scalar metrics in a fixed order, e.g. {{"loss", 0.31}, {"acc", 0.92}}.
using Metrics = std::vector<std::pair<std::string, double>>;

class MetricsLog {
 public:
  struct Row {
    std::int64_t step = 0;
    std::int64_t epoch = 0;
    double lr = 0.0;
    std::map<std::string, double> values;
  };

  void add(std::int64_t step, std::int64_t epoch, double lr, const Metrics& metrics);
  const std::vector<Row>& rows() const { return rows_; }
  const std::vector<std::string>& columns() const { return columns_; }  // metric columns only
  // (step, value) pairs of one metric, in row order.
  std::vector<std::pair<double, double>> series(const std::string& name) const;
  std::optional<double> last(const std::string& name) const;
  // Drops rows with step > max_step.
  void truncate_after(std::int64_t max_step);
  void clear();

  std::string to_csv() const;
  Status write(const std::filesystem::path& path) const;
  Status load(const std::filesystem::path& path);

 private:
  std::vector<Row> rows_;
  std::vector<std::string> columns_;
};

}  // namespace cvpipe::nn
