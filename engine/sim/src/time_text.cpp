#include "citytwin/sim/time_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace citytwin::sim {
namespace {

// A number like "1", "1.5", ".25" at `pos`, as a decimal value.
bool readNumber(std::string_view text, std::size_t& pos, double& value) {
  const std::size_t start = pos;
  while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
  if (pos == start) return false;
  const std::string number(text.substr(start, pos - start));
  if (number == "." || number.find('.') != number.rfind('.')) return false;
  // strtod, not stod: a run of hundreds of digits is "not a duration", not an out_of_range exception.
  value = std::strtod(number.c_str(), nullptr);
  return std::isfinite(value);
}

std::optional<SimTime> toMilliseconds(double total) {
  if (!std::isfinite(total) || total < 0 || total > 9.0e15) return std::nullopt;
  const double rounded = std::round(total);
  if (std::fabs(rounded - total) > 1e-6) return std::nullopt;  // finer than a millisecond
  return static_cast<SimTime>(rounded);
}

std::optional<SimTime> parseIsoDuration(std::string_view text) {
  std::size_t pos = 1;  // after 'P'
  bool inTime = false;
  bool any = false;
  double total = 0.0;
  while (pos < text.size()) {
    if (text[pos] == 'T') {
      if (inTime) return std::nullopt;
      inTime = true;
      ++pos;
      continue;
    }
    double value = 0.0;
    if (!readNumber(text, pos, value) || pos >= text.size()) return std::nullopt;
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text[pos++])));
    if (!inTime && unit == 'D') total += value * kDay;
    else if (!inTime && unit == 'W') total += value * 7 * kDay;
    else if (inTime && unit == 'H') total += value * kHour;
    else if (inTime && unit == 'M') total += value * kMinute;
    else if (inTime && unit == 'S') total += value * kSecond;
    else return std::nullopt;  // years and months have no fixed length
    any = true;
  }
  if (!any) return std::nullopt;
  return toMilliseconds(total);
}

}  // namespace

std::optional<SimTime> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == 'P' || text.front() == 'p') return parseIsoDuration(text);
  std::size_t pos = 0;
  double total = 0.0;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    double value = 0.0;
    if (!readNumber(text, pos, value)) return std::nullopt;
    const std::size_t unitStart = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    const std::string_view unit = text.substr(unitStart, pos - unitStart);
    if (unit == "ms") total += value;
    else if (unit == "s") total += value * kSecond;
    else if (unit == "m" || unit == "min") total += value * kMinute;
    else if (unit == "h") total += value * kHour;
    else if (unit == "d") total += value * kDay;
    else return std::nullopt;
    while (pos < text.size() && text[pos] == ' ') ++pos;
  }
  return toMilliseconds(total);
}

std::string formatDuration(SimTime duration) {
  if (duration == 0) return "0s";
  std::string text;
  const struct {
    SimTime size;
    const char* unit;
  } parts[] = {{kDay, "d"}, {kHour, "h"}, {kMinute, "m"}, {kSecond, "s"}, {1, "ms"}};
  SimTime rest = duration < 0 ? -duration : duration;
  for (const auto& part : parts) {
    if (rest >= part.size) {
      text += std::to_string(rest / part.size) + part.unit;
      rest %= part.size;
    }
  }
  return duration < 0 ? "-" + text : text;
}

}  // namespace citytwin::sim
