#include "citytwin/flood/ascii_grid.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::flood {
namespace {

std::string lowered(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

}  // namespace

AsciiGrid readAsciiGrid(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path.string(), 0, ""}, "cannot open the grid file");
  AsciiGrid grid;
  bool haveCols = false, haveRows = false, haveX = false, haveY = false, haveSize = false;
  bool xCentre = false, yCentre = false;
  std::string line;
  std::size_t lineNumber = 0;
  std::streampos dataStart = in.tellg();
  // Header: keyword value pairs until the first line that starts with a number.
  while (true) {
    dataStart = in.tellg();
    if (!std::getline(in, line)) break;
    ++lineNumber;
    std::istringstream fields(line);
    std::string key;
    if (!(fields >> key)) continue;
    if (std::isdigit(static_cast<unsigned char>(key[0])) || key[0] == '-' || key[0] == '.' || key[0] == '+') {
      --lineNumber;
      break;
    }
    double value = 0.0;
    if (!(fields >> value)) throw InputError({path.string(), lineNumber, key}, "expected a number after the keyword");
    const std::string k = lowered(key);
    if (k == "ncols") { grid.columns = static_cast<std::size_t>(value); haveCols = value >= 1; }
    else if (k == "nrows") { grid.rows = static_cast<std::size_t>(value); haveRows = value >= 1; }
    else if (k == "xllcorner") { grid.xllCorner = value; haveX = true; }
    else if (k == "yllcorner") { grid.yllCorner = value; haveY = true; }
    else if (k == "xllcenter") { grid.xllCorner = value; haveX = xCentre = true; }
    else if (k == "yllcenter") { grid.yllCorner = value; haveY = yCentre = true; }
    else if (k == "cellsize") { grid.cellSize = value; haveSize = value > 0; }
    else if (k == "nodata_value") { grid.noData = value; }
    else throw InputError({path.string(), lineNumber, key}, "unknown header keyword (expected ncols, nrows, xllcorner, yllcorner, cellsize, NODATA_value)");
  }
  if (!haveCols || !haveRows) throw InputError({path.string(), lineNumber, "ncols"}, "header lacks a positive ncols or nrows");
  if (!haveX || !haveY) throw InputError({path.string(), lineNumber, "xllcorner"}, "header lacks xllcorner or yllcorner");
  if (!haveSize) throw InputError({path.string(), lineNumber, "cellsize"}, "header lacks a positive cellsize");
  if (xCentre) grid.xllCorner -= 0.5 * grid.cellSize;
  if (yCentre) grid.yllCorner -= 0.5 * grid.cellSize;
  in.clear();
  in.seekg(dataStart);
  const std::size_t count = grid.columns * grid.rows;
  grid.values.reserve(count);
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const char* p = rest.data();
  const char* end = p + rest.size();
  std::size_t dataLine = lineNumber + 1;
  while (p < end) {
    while (p < end && (std::isspace(static_cast<unsigned char>(*p)) != 0)) {
      if (*p == '\n') ++dataLine;
      ++p;
    }
    if (p >= end) break;
    double value = 0.0;
    const char* start = p;
    if (*p == '+') ++p;
    const auto result = std::from_chars(p, end, value);
    if (result.ec != std::errc()) {
      const char* stop = start;
      while (stop < end && !std::isspace(static_cast<unsigned char>(*stop))) ++stop;
      throw InputError({path.string(), dataLine, ""}, "expected a number, found '" + std::string(start, stop) + "'");
    }
    p = result.ptr;
    if (grid.values.size() == count) throw InputError({path.string(), dataLine, ""}, "more values than ncols x nrows");
    grid.values.push_back(value);
  }
  if (grid.values.size() != count)
    throw InputError({path.string(), dataLine, ""}, "expected " + std::to_string(count) + " values (ncols x nrows), found " +
                                                        std::to_string(grid.values.size()));
  return grid;
}

void writeAsciiGrid(const std::filesystem::path& path, const AsciiGrid& header, std::span<const double> values,
                    int decimals) {
  if (values.size() != header.columns * header.rows) throw Error("ASCII grid: value count does not match the header");
  AtomicOutput output(path);
  {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(output.temporaryPath().c_str(), "wb"), &std::fclose);
    if (!file) throw Error(path.string() + ": cannot write");
    std::FILE* f = file.get();
    std::fprintf(f, "ncols         %zu\n", header.columns);
    std::fprintf(f, "nrows         %zu\n", header.rows);
    std::fprintf(f, "xllcorner     %lf\n", header.xllCorner);
    std::fprintf(f, "yllcorner     %lf\n", header.yllCorner);
    std::fprintf(f, "cellsize      %lf\n", header.cellSize);
    std::fprintf(f, "NODATA_value  %lf\n", header.noData);
    for (std::size_t r = 0; r < header.rows; ++r) {
      for (std::size_t c = 0; c < header.columns; ++c) std::fprintf(f, "%.*f\t", decimals, values[r * header.columns + c]);
      std::fputc('\n', f);
    }
    if (std::ferror(f) != 0) throw Error(path.string() + ": write failed");
  }
  output.commit();
}

}  // namespace citytwin::flood
