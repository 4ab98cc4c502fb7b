#include "citytwin/energy/weather.hpp"

#include <charconv>
#include <fstream>
#include <string_view>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {
namespace {

std::vector<std::string_view> splitCommas(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

double field(const std::vector<std::string_view>& f, std::size_t index, const std::string& file, std::size_t line,
             const char* name) {
  if (index >= f.size())
    throw InputError({file, line, name}, "missing field " + std::to_string(index + 1) + " (" + name + ")");
  std::string_view s = f[index];
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || ptr != s.data() + s.size())
    throw InputError({file, line, name}, "expected a number, found '" + std::string(f[index]) + "'");
  return v;
}

}  // namespace

Weather readEpw(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open weather file");
  Weather w;
  w.source = path.string();
  std::string line;
  std::size_t lineNumber = 0;
  bool haveLocation = false;
  while (std::getline(in, line)) {
    ++lineNumber;
    if (line.empty() || line == "\r") continue;
    const auto f = splitCommas(line);
    if (f[0] == "LOCATION") {
      if (f.size() > 1) w.city = std::string(f[1]);
      w.latitudeDeg = field(f, 6, w.source, lineNumber, "latitude");
      w.longitudeDeg = field(f, 7, w.source, lineNumber, "longitude");
      w.timeZoneHours = field(f, 8, w.source, lineNumber, "time zone");
      w.elevationM = field(f, 9, w.source, lineNumber, "elevation");
      if (w.latitudeDeg < -90 || w.latitudeDeg > 90)
        throw InputError({w.source, lineNumber, "latitude"}, "expected a latitude in [-90, 90]");
      haveLocation = true;
      continue;
    }
    if (f[0] == "DATA PERIODS" && f.size() > 4) {
      static constexpr std::string_view kDays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
      for (int d = 0; d < 7; ++d)
        if (f[4].find(kDays[d]) != std::string_view::npos) w.firstWeekday = d;
      continue;
    }
    if (!haveLocation || lineNumber <= 8 || !std::isdigit(static_cast<unsigned char>(line[0]))) continue;
    WeatherHour h;
    h.month = static_cast<int>(field(f, 1, w.source, lineNumber, "month"));
    h.day = static_cast<int>(field(f, 2, w.source, lineNumber, "day"));
    h.hour = static_cast<int>(field(f, 3, w.source, lineNumber, "hour"));
    h.dryBulbC = field(f, 6, w.source, lineNumber, "dry bulb temperature");
    h.dewPointC = field(f, 7, w.source, lineNumber, "dew point temperature");
    h.pressurePa = field(f, 9, w.source, lineNumber, "atmospheric pressure");
    h.horizontalInfraredWm2 = field(f, 12, w.source, lineNumber, "horizontal infrared radiation");
    h.ghi = field(f, 13, w.source, lineNumber, "global horizontal radiation");
    h.dni = field(f, 14, w.source, lineNumber, "direct normal radiation");
    h.dhi = field(f, 15, w.source, lineNumber, "diffuse horizontal radiation");
    h.windSpeedMs = field(f, 21, w.source, lineNumber, "wind speed");
    if (h.month < 1 || h.month > 12 || h.day < 1 || h.day > 31 || h.hour < 1 || h.hour > 24)
      throw InputError({w.source, lineNumber, "date"}, "expected month 1-12, day 1-31 and hour 1-24");
    if (h.dryBulbC > 70 || h.dryBulbC < -90)
      throw InputError({w.source, lineNumber, "dry bulb temperature"}, "value outside [-90, 70] C (missing data?)");
    if (h.ghi >= 9999 || h.dni >= 9999 || h.dhi >= 9999 || h.ghi < 0 || h.dni < 0 || h.dhi < 0)
      throw InputError({w.source, lineNumber, "radiation"}, "missing or negative solar radiation (9999)");
    w.hours.push_back(h);
  }
  if (!haveLocation) throw InputError({w.source, 1, "LOCATION"}, "missing LOCATION header line");
  if (w.hours.size() != 8760 && w.hours.size() != 8784)
    throw Error(w.source + ": expected 8760 or 8784 hourly data lines, found " + std::to_string(w.hours.size()));
  return w;
}

Weather shiftedTemperature(const Weather& weather, double deltaC) {
  Weather out = weather;
  for (WeatherHour& h : out.hours) {
    h.dryBulbC += deltaC;
    h.dewPointC += deltaC;
  }
  return out;
}

}  // namespace citytwin::energy
