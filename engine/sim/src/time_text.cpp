#include "citytwin/sim/time_text.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

namespace citytwin::sim {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civilFromDays(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

unsigned daysInMonth(std::int64_t y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

// Reads exactly `count` digits at `pos`.
bool readDigits(std::string_view text, std::size_t& pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

// A number like "1", "1.5", ".25" at `pos`, as a decimal value.
bool readNumber(std::string_view text, std::size_t& pos, double& value) {
  const std::size_t start = pos;
  while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.')) ++pos;
  if (pos == start) return false;
  const std::string number(text.substr(start, pos - start));
  if (number == "." || number.find('.') != number.rfind('.')) return false;
  value = std::stod(number);
  return true;
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

std::optional<std::int64_t> parseIsoDateTime(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, pos, 4, year) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!readDigits(text, pos, 2, month) || pos >= text.size() || text[pos++] != '-') return std::nullopt;
  if (!readDigits(text, pos, 2, day)) return std::nullopt;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return std::nullopt;
    ++pos;
    if (!readDigits(text, pos, 2, hour) || pos >= text.size() || text[pos++] != ':') return std::nullopt;
    if (!readDigits(text, pos, 2, minute)) return std::nullopt;
    if (pos < text.size() && text[pos] == ':') {
      ++pos;
      if (!readDigits(text, pos, 2, second)) return std::nullopt;
    }
  }
  double fraction = 0.0;
  if (pos < text.size() && text[pos] == '.') {
    const std::size_t start = pos;
    ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start + 1) return std::nullopt;
    fraction = std::stod("0" + std::string(text.substr(start, pos - start)));
  }
  std::int64_t offsetMinutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!readDigits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' || !readDigits(text, pos, 2, om)) {
        return std::nullopt;
      }
      if (oh > 23 || om > 59) return std::nullopt;
      offsetMinutes = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > daysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const std::int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds * 1000 + static_cast<std::int64_t>(std::llround(fraction * 1000.0));
}

std::string formatIsoDateTime(std::int64_t epochMilliseconds) {
  std::int64_t seconds = epochMilliseconds / 1000;
  std::int64_t millis = epochMilliseconds % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    days -= 1;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civilFromDays(days, y, m, d);
  char text[40];
  if (millis == 0) {
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60));
  } else {
    std::snprintf(text, sizeof text, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(rest / 3600), static_cast<long long>(rest / 60 % 60),
                  static_cast<long long>(rest % 60), static_cast<long long>(millis));
  }
  return text;
}

}  // namespace citytwin::sim
