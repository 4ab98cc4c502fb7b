#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace citytwin::io {

// The tags of one OSM object: GDAL's named fields plus its "other_tags" hstore column.
class OsmTags {
 public:
  void set(std::string key, std::string value);
  // Parses GDAL's other_tags text: "key"=>"value","key2"=>"value2" (quotes inside escaped with \).
  void addHstore(std::string_view text);
  std::string get(std::string_view key) const;  // "" when absent
  bool has(std::string_view key) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// "12", "12 m", "12.5m", "40 ft", "40'", "12'6\"" -> metres; nullopt for anything else.
std::optional<double> parseLengthMetres(std::string_view text);
// "3", "3.5" (rounded up: a half storey is a storey) -> levels; nullopt when not a positive number.
std::optional<int> parseLevels(std::string_view text);
// The first plausible four-digit year in "1905", "1905-05-01", "~1890", "before 1900".
std::optional<int> parseYear(std::string_view text);
// "50", "50 km/h", "30 mph" -> km/h; nullopt for "none", "walk", "signals" and the like.
std::optional<double> parseSpeedKph(std::string_view text);
// A positive integer lane count; nullopt otherwise ("2;3" takes the first).
std::optional<int> parsePositiveInt(std::string_view text);

}  // namespace citytwin::io
