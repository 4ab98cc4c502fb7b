#pragma once

#include <filesystem>
#include <span>
#include <vector>

namespace citytwin::flood {

// An ESRI ASCII grid (.asc, LISFLOOD-FP's DEM, Manning and result files). Row 0 is the north row.
struct AsciiGrid {
  std::size_t columns = 0;
  std::size_t rows = 0;
  double xllCorner = 0.0;
  double yllCorner = 0.0;
  double cellSize = 1.0;
  double noData = -9999.0;
  std::vector<double> values;

  bool isNoData(std::size_t i) const { return values[i] == noData; }
};

// Throws InputError naming the file, line and field on malformed input.
AsciiGrid readAsciiGrid(const std::filesystem::path& path);

// Writes in LISFLOOD-FP's layout ("ncols         N", values "%.3f" tab-separated); atomic.
void writeAsciiGrid(const std::filesystem::path& path, const AsciiGrid& header, std::span<const double> values,
                    int decimals = 3);

}  // namespace citytwin::flood
