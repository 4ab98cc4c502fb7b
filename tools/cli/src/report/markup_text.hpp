#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <string_view>

namespace citytwin::cli::report {

// Text made safe inside HTML or SVG elements and attribute values.
inline std::string escapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A value for people: four significant digits, never an exponent for everyday magnitudes (a planner reads
// "1523400", not "1.523e+06"), a plain "0" for zero.
inline std::string formatValue(double value) {
  if (!std::isfinite(value)) return value != value ? "n/a" : (value > 0 ? "inf" : "-inf");
  char text[64];
  const double magnitude = std::abs(value);
  if (magnitude == 0.0)
    return "0";
  else if (magnitude < 1e12 && value == std::floor(value))
    std::snprintf(text, sizeof text, "%.0f", value);  // counts stay whole: "223", not "223.0"
  else if (magnitude >= 1e12 || magnitude < 1e-3)
    std::snprintf(text, sizeof text, "%.3e", value);
  else if (magnitude >= 1000.0)
    std::snprintf(text, sizeof text, "%.0f", value);
  else
    std::snprintf(text, sizeof text, "%.*f",
                  magnitude >= 100.0  ? 1
                  : magnitude >= 10.0 ? 2
                  : magnitude >= 1.0  ? 3
                                      : 4,
                  value);
  return text;
}

}  // namespace citytwin::cli::report
