#include "result_tables.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <string_view>

#include "citytwin/core/error.hpp"

namespace citytwin::viewer {
namespace {

std::vector<std::string_view> splitCsv(std::string_view line) {
  std::vector<std::string_view> fields;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    std::string_view field = line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!field.empty() && field.front() == ' ') field.remove_prefix(1);
    while (!field.empty() && field.back() == ' ') field.remove_suffix(1);
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') field = field.substr(1, field.size() - 2);
    fields.push_back(field);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

double parseNumber(std::string_view text, const std::filesystem::path& file, std::size_t line, std::string_view column) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    if (text == "nan" || text == "NaN" || text.empty()) return std::numeric_limits<double>::quiet_NaN();
    throw InputError({file.string(), line, std::string(column)}, "expected a number, found '" + std::string(text) + "'");
  }
  return value;
}

std::ifstream openCsv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot read");
  return in;
}

std::size_t requireColumn(const std::vector<std::string_view>& header, std::string_view name,
                          const std::filesystem::path& file) {
  const auto found = std::find(header.begin(), header.end(), name);
  if (found == header.end()) throw InputError({file.string(), 1, std::string(name)}, "missing column in the header");
  return static_cast<std::size_t>(found - header.begin());
}

}  // namespace

std::pair<double, double> csvTimeSpan(const std::filesystem::path& file) {
  std::ifstream in = openCsv(file);
  std::string line;
  std::getline(in, line);
  double first = std::numeric_limits<double>::infinity();
  double last = -std::numeric_limits<double>::infinity();
  std::size_t lineNumber = 1;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty()) continue;
    const auto comma = line.find(',');
    const double t = parseNumber(std::string_view(line).substr(0, comma), file, lineNumber, "t");
    first = std::min(first, t);
    last = std::max(last, t);
  }
  if (first > last) return {0.0, 0.0};
  return {first, last};
}

VehicleTracks VehicleTracks::load(const std::filesystem::path& file) {
  std::ifstream in = openCsv(file);
  std::string line;
  if (!std::getline(in, line)) throw InputError({file.string(), 1, ""}, "empty file; expected header t,id,x,y,heading");
  const auto header = splitCsv(line);
  const std::size_t tColumn = requireColumn(header, "t", file);
  const std::size_t idColumn = requireColumn(header, "id", file);
  const std::size_t xColumn = requireColumn(header, "x", file);
  const std::size_t yColumn = requireColumn(header, "y", file);
  const std::size_t headingColumn = requireColumn(header, "heading", file);
  const std::size_t needed = std::max({tColumn, idColumn, xColumn, yColumn, headingColumn}) + 1;

  std::unordered_map<std::string, std::size_t> trackOf;
  VehicleTracks tracks;
  std::size_t lineNumber = 1;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty()) continue;
    const auto fields = splitCsv(line);
    if (fields.size() < needed) {
      throw InputError({file.string(), lineNumber, ""},
                       "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(fields.size()));
    }
    Sample sample{parseNumber(fields[tColumn], file, lineNumber, "t"), parseNumber(fields[xColumn], file, lineNumber, "x"),
                  parseNumber(fields[yColumn], file, lineNumber, "y"),
                  parseNumber(fields[headingColumn], file, lineNumber, "heading")};
    const std::string id(fields[idColumn]);
    auto [it, inserted] = trackOf.try_emplace(id, tracks.tracks_.size());
    if (inserted) tracks.tracks_.push_back({id, {}});
    tracks.tracks_[it->second].second.push_back(sample);
  }
  for (auto& [id, samples] : tracks.tracks_) {
    std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.t < b.t; });
  }
  return tracks;
}

std::vector<VehiclePose> VehicleTracks::at(double timeS) const {
  std::vector<VehiclePose> poses;
  for (const auto& [id, samples] : tracks_) {
    if (samples.empty() || timeS < samples.front().t || timeS > samples.back().t) continue;
    const auto next = std::lower_bound(samples.begin(), samples.end(), timeS,
                                       [](const Sample& s, double t) { return s.t < t; });
    if (next == samples.begin() || next->t == timeS) {
      poses.push_back({id, next->x, next->y, next->heading});
      continue;
    }
    const Sample& a = *(next - 1);
    const Sample& b = *next;
    const double f = (timeS - a.t) / (b.t - a.t);
    // Headings interpolate the short way round the compass.
    double turn = std::fmod(b.heading - a.heading + 540.0, 360.0) - 180.0;
    poses.push_back({id, a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f, a.heading + turn * f});
  }
  return poses;
}

StateTable StateTable::load(const std::vector<StateSource>& sources,
                            const std::unordered_map<std::string, std::size_t>& objectIndex,
                            std::size_t objectCount) {
  struct Row {
    double t;
    std::size_t object;
    std::vector<std::pair<std::size_t, double>> values;  // (column, value)
  };
  std::vector<std::string> columnNames;
  std::vector<Row> rows;
  for (const StateSource& source : sources) {
    const std::filesystem::path& file = source.file;
    std::ifstream in = openCsv(file);
    std::string line;
    if (!std::getline(in, line)) {
      throw InputError({file.string(), 1, ""},
                       "empty file; expected header t," + source.idColumn + ",<attribute>,...");
    }
    const auto header = splitCsv(line);
    const std::size_t tColumn = requireColumn(header, "t", file);
    const std::size_t idColumn = requireColumn(header, source.idColumn, file);
    std::vector<std::pair<std::size_t, std::size_t>> valueColumns;  // (field, column)
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (i == tColumn || i == idColumn) continue;
      const std::string name(header[i]);
      const auto known = std::find(columnNames.begin(), columnNames.end(), name);
      valueColumns.emplace_back(i, static_cast<std::size_t>(known - columnNames.begin()));
      if (known == columnNames.end()) columnNames.push_back(name);
    }
    std::size_t lineNumber = 1;
    while (std::getline(in, line)) {
      ++lineNumber;
      if (line.empty()) continue;
      const auto fields = splitCsv(line);
      if (fields.size() != header.size()) {
        throw InputError(
            {file.string(), lineNumber, ""},
            "expected " + std::to_string(header.size()) + " fields, found " + std::to_string(fields.size()));
      }
      const auto object = objectIndex.find(std::string(fields[idColumn]));
      if (object == objectIndex.end()) continue;
      Row row{parseNumber(fields[tColumn], file, lineNumber, "t"), object->second, {}};
      for (const auto& [field, column] : valueColumns) {
        row.values.emplace_back(column, parseNumber(fields[field], file, lineNumber, header[field]));
      }
      rows.push_back(std::move(row));
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.t < b.t; });

  StateTable table;
  for (std::size_t c = 0; c < columnNames.size(); ++c) {
    Column column;
    column.minimum = std::numeric_limits<double>::infinity();
    column.maximum = -std::numeric_limits<double>::infinity();
    std::vector<float> current(objectCount, std::numeric_limits<float>::quiet_NaN());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (const auto& [index, value] : rows[r].values) {
        if (index != c || !std::isfinite(value)) continue;
        current[rows[r].object] = static_cast<float>(value);
        column.minimum = std::min(column.minimum, value);
        column.maximum = std::max(column.maximum, value);
      }
      if (r + 1 == rows.size() || rows[r + 1].t != rows[r].t) {
        column.times.push_back(rows[r].t);
        column.snapshots.push_back(current);
      }
    }
    if (column.minimum > column.maximum) column.minimum = column.maximum = 0.0;
    table.columns_.emplace(columnNames[c], std::move(column));
  }
  table.empty_.assign(objectCount, std::numeric_limits<float>::quiet_NaN());
  return table;
}

std::vector<std::string> StateTable::attributes() const {
  std::vector<std::string> names;
  for (const auto& [name, column] : columns_) names.push_back(name);
  return names;
}

const std::vector<float>& StateTable::values(const std::string& attribute, double timeS) const {
  const auto found = columns_.find(attribute);
  if (found == columns_.end()) return empty_;
  const Column& column = found->second;
  const auto after = std::upper_bound(column.times.begin(), column.times.end(), timeS);
  if (after == column.times.begin()) return empty_;
  return column.snapshots[static_cast<std::size_t>(after - column.times.begin()) - 1];
}

std::pair<double, double> StateTable::range(const std::string& attribute) const {
  const auto found = columns_.find(attribute);
  if (found == columns_.end()) return {0.0, 0.0};
  return {found->second.minimum, found->second.maximum};
}

std::vector<std::pair<double, double>> StateTable::series(const std::string& attribute, std::size_t object) const {
  std::vector<std::pair<double, double>> points;
  const auto found = columns_.find(attribute);
  if (found == columns_.end()) return points;
  const Column& column = found->second;
  for (std::size_t i = 0; i < column.times.size(); ++i) {
    const float value = column.snapshots[i][object];
    if (std::isfinite(value)) points.emplace_back(column.times[i], value);
  }
  return points;
}

}  // namespace citytwin::viewer
