#include "citytwin/core/date_time.hpp"

#include <chrono>
#include <cstdio>
#include <limits>

namespace citytwin {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned daysInMonth(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads exactly `count` digits at `pos`.
bool readDigits(std::string_view text, std::size_t& pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  pos += count;
  return true;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<std::int64_t> parseDateTime(std::string_view text) {
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, pos, 4, year) || !expect(text, pos, '-') || !readDigits(text, pos, 2, month) ||
      !expect(text, pos, '-') || !readDigits(text, pos, 2, day)) {
    return std::nullopt;
  }
  std::int64_t millis = 0;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == 't' || text[pos] == ' ')) {
    ++pos;
    if (!readDigits(text, pos, 2, hour) || !expect(text, pos, ':') || !readDigits(text, pos, 2, minute)) {
      return std::nullopt;
    }
    if (pos < text.size() && text[pos] == ':' && !(++pos, readDigits(text, pos, 2, second))) return std::nullopt;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
      ++pos;
      int scale = 100;
      const std::size_t start = pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
  }
  std::int64_t offsetMinutes = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      const int sign = text[pos] == '-' ? -1 : 1;
      ++pos;
      int offsetHours = 0, offsetMinutesPart = 0;
      if (!readDigits(text, pos, 2, offsetHours)) return std::nullopt;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (!readDigits(text, pos, 2, offsetMinutesPart)) return std::nullopt;
      if (offsetHours > 23 || offsetMinutesPart > 59) return std::nullopt;
      offsetMinutes = sign * (offsetHours * 60 + offsetMinutesPart);
    }
  }
  if (pos != text.size()) return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > daysInMonth(year, static_cast<unsigned>(month)) ||
      hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  const std::int64_t days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const std::int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds * 1000 + millis;
}

namespace {

std::string formatWithMilliseconds(std::int64_t ms) {
  // Stored entities carry createdAt/modifiedAt on every attribute, all equal to the commit time of their
  // batch: remembering the last result saves most of the formatting on the ingest path.
  thread_local std::int64_t lastMs = std::numeric_limits<std::int64_t>::min();
  thread_local std::string last;
  if (ms == lastMs) return last;
  std::int64_t seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto millis = static_cast<int>(ms - seconds * 1000);
  std::int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const auto secondOfDay = static_cast<int>(seconds - days * 86400);
  // civil_from_days
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
  std::string text;
  if (y >= 0 && y <= 9999) {
    // snprintf's format parsing dominated this function; the fixed layout is written digit by digit.
    text = "0000-00-00T00:00:00.000Z";
    const auto put = [&text](std::size_t at, int digits, unsigned value) {
      for (int i = digits - 1; i >= 0; --i) {
        text[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
        value /= 10;
      }
    };
    put(0, 4, static_cast<unsigned>(y));
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, static_cast<unsigned>(secondOfDay / 3600));
    put(14, 2, static_cast<unsigned>(secondOfDay / 60 % 60));
    put(17, 2, static_cast<unsigned>(secondOfDay % 60));
    put(20, 3, static_cast<unsigned>(millis));
  } else {
    char buffer[96];
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d,
                  secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, millis);
    text = buffer;
  }
  lastMs = ms;
  last = text;
  return text;
}

}  // namespace

std::string formatDateTime(std::int64_t ms, DateTimeFraction fraction) {
  std::string text = formatWithMilliseconds(ms);
  if (fraction == DateTimeFraction::WhenNonZero && text.ends_with(".000Z")) text.erase(text.size() - 5, 4);
  return text;
}

std::int64_t nowMilliseconds() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace citytwin
