#include "readable_numbers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace citytwin::viewer {

std::string formatValue(double value) {
  if (!std::isfinite(value)) return "-";
  if (value == 0.0) return "0";
  const double magnitude = std::fabs(value);
  char text[48];
  if (magnitude >= 1000.0 || magnitude < 1e-3) {
    std::snprintf(text, sizeof(text), magnitude >= 1e7 || magnitude < 1e-3 ? "%.3g" : "%.0f", value);
  } else {
    // Four significant digits: 33.53, 0.4661, 512.3.
    const int decimals = std::clamp(3 - static_cast<int>(std::floor(std::log10(magnitude))), 0, 6);
    std::snprintf(text, sizeof(text), "%.*f", decimals, value);
    // 2.000 reads as 2: trailing zeros add digits, not precision the reader needs.
    std::string trimmed = text;
    if (trimmed.find('.') != std::string::npos) {
      trimmed.erase(trimmed.find_last_not_of('0') + 1);
      if (trimmed.back() == '.') trimmed.pop_back();
    }
    return trimmed;
  }
  return text;
}

std::string formatChange(double value, double base) {
  if (!std::isfinite(value) || !std::isfinite(base)) return "";
  const double change = value - base;
  std::string text = change > 0 ? "+" : "";
  text += formatValue(change);
  if (base != 0.0) {
    char percent[32];
    std::snprintf(percent, sizeof(percent), " (%+.1f%%)", 100.0 * change / std::fabs(base));
    text += percent;
  } else if (change != 0.0) {
    text += " (new)";
  }
  return text;
}

double scaleBarLength(double maximumM) {
  if (!(maximumM > 0.0) || !std::isfinite(maximumM)) return 0.0;
  const double power = std::pow(10.0, std::floor(std::log10(maximumM)));
  for (const double step : {5.0, 2.0, 1.0}) {
    if (step * power <= maximumM) return step * power;
  }
  return power;
}

}  // namespace citytwin::viewer
