#include "citytwin/io/osm_tags.hpp"

#include <cctype>
#include <cmath>
#include <limits>
#include <cstdlib>

namespace citytwin::io {

void OsmTags::set(std::string key, std::string value) { values_[std::move(key)] = std::move(value); }

void OsmTags::addHstore(std::string_view text) {
  std::size_t i = 0;
  auto readQuoted = [&](std::string& out) -> bool {
    while (i < text.size() && text[i] != '"') ++i;
    if (i >= text.size()) return false;
    ++i;
    out.clear();
    while (i < text.size() && text[i] != '"') {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      out += text[i++];
    }
    if (i >= text.size()) return false;
    ++i;
    return true;
  };
  std::string key;
  std::string value;
  while (i < text.size()) {
    if (!readQuoted(key)) break;
    const std::size_t arrow = text.find("=>", i);
    if (arrow == std::string_view::npos) break;
    i = arrow + 2;
    if (!readQuoted(value)) break;
    values_.emplace(key, value);  // named GDAL fields win over other_tags duplicates
  }
}

std::string OsmTags::get(std::string_view key) const {
  const auto found = values_.find(key);
  return found == values_.end() ? std::string() : found->second;
}

bool OsmTags::has(std::string_view key) const { return values_.find(key) != values_.end(); }

namespace {
std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

// Reads a leading decimal number ("12.5" of "12.5 m"); advances `text` past it.
std::optional<double> leadingNumber(std::string_view& text) {
  std::size_t end = 0;
  bool digits = false;
  while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
                               (end == 0 && (text[end] == '-' || text[end] == '+')))) {
    digits = digits || std::isdigit(static_cast<unsigned char>(text[end]));
    ++end;
  }
  if (!digits) return std::nullopt;
  const std::string number(text.substr(0, end));
  text.remove_prefix(end);
  char* parsedEnd = nullptr;
  const double value = std::strtod(number.c_str(), &parsedEnd);
  // A run of hundreds of digits overflows to infinity: no tag means that.
  if (parsedEnd != number.c_str() + number.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}
}  // namespace

std::optional<double> parseLengthMetres(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  // Imperial feet and inches: 40' or 12'6"
  if (text.find('\'') != std::string_view::npos) {
    std::string_view rest = text;
    const auto feet = leadingNumber(rest);
    if (!feet || rest.empty() || rest.front() != '\'') return std::nullopt;
    rest.remove_prefix(1);
    rest = trim(rest);
    double inches = 0.0;
    if (!rest.empty()) {
      const auto parsed = leadingNumber(rest);
      if (!parsed) return std::nullopt;
      inches = *parsed;
    }
    return *feet * 0.3048 + inches * 0.0254;
  }
  std::string_view rest = text;
  const auto value = leadingNumber(rest);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  rest = trim(rest);
  if (rest.empty() || rest == "m" || rest == "meters" || rest == "metres") return *value;
  if (rest == "ft" || rest == "feet") return *value * 0.3048;
  return std::nullopt;
}

std::optional<int> parseLevels(std::string_view text) {
  std::string_view rest = trim(text);
  const auto value = leadingNumber(rest);
  if (!value || !trim(rest).empty() || *value <= 0 || *value > 500) return std::nullopt;
  return static_cast<int>(std::ceil(*value));
}

std::optional<int> parseYear(std::string_view text) {
  for (std::size_t i = 0; i + 4 <= text.size(); ++i) {
    bool fourDigits = true;
    for (std::size_t k = 0; k < 4; ++k) fourDigits = fourDigits && std::isdigit(static_cast<unsigned char>(text[i + k]));
    const bool isolated = (i == 0 || !std::isdigit(static_cast<unsigned char>(text[i - 1]))) &&
                          (i + 4 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i + 4])));
    if (fourDigits && isolated) {
      const int year = std::atoi(std::string(text.substr(i, 4)).c_str());
      if (year >= 1000 && year <= 2100) return year;
    }
  }
  return std::nullopt;
}

std::optional<double> parseSpeedKph(std::string_view text) {
  std::string_view rest = trim(text);
  const auto value = leadingNumber(rest);
  if (!value || *value <= 0) return std::nullopt;
  rest = trim(rest);
  if (rest.empty() || rest == "km/h" || rest == "kmh" || rest == "kph") return *value;
  if (rest == "mph") return *value * 1.609344;
  if (rest == "knots") return *value * 1.852;
  return std::nullopt;
}

std::optional<int> parsePositiveInt(std::string_view text) {
  std::string_view rest = trim(text);
  const auto value = leadingNumber(rest);
  rest = trim(rest);
  if (!value || *value < 1 || *value > std::numeric_limits<int>::max() || (!rest.empty() && rest.front() != ';'))
    return std::nullopt;
  return static_cast<int>(*value);
}

}  // namespace citytwin::io
