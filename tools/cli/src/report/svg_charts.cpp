#include "report/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "report/markup_text.hpp"

namespace citytwin::cli::report {
namespace {

constexpr const char* kFont = "font-family=\"DejaVu Sans, Arial, sans-serif\"";

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// Round tick steps (1, 2, 5 times a power of ten) covering [low, high] with about `count` ticks.
std::vector<double> niceTicks(double low, double high, int count) {
  if (!(high > low)) high = low + (low == 0.0 ? 1.0 : std::abs(low));
  const double rough = (high - low) / std::max(1, count);
  const double power = std::pow(10.0, std::floor(std::log10(rough)));
  double step = power;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * power;
    if (step >= rough) break;
  }
  std::vector<double> ticks;
  // From the step at or below `low` to the first step at or above `high`, so every value lies on the axis.
  for (double tick = std::floor(low / step) * step; ticks.size() < 60; tick += step) {
    ticks.push_back(std::abs(tick) < step * 1e-9 ? 0.0 : tick);
    if (tick >= high - step * 1e-9) break;
  }
  return ticks;
}

// A tick label: as few digits as the tick needs ("0.5", "2", "1500").
std::string tickText(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value == std::floor(value) && std::abs(value) < 1e15 ? "%.0f" : "%.6g",
                value);
  return text;
}

std::string svgOpen(int width, int height) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
         std::to_string(height) + "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
         "\" " + kFont + ">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
}

std::string text(double x, double y, const std::string& content, int size, const char* anchor = "start",
                 const char* extra = "") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" font-size=\"" + std::to_string(size) +
         "\" text-anchor=\"" + anchor + "\" " + extra + ">" + escapeMarkup(content) + "</text>\n";
}

}  // namespace

std::string variantColour(std::size_t position) {
  // Okabe-Ito, the base in near-black.
  static constexpr const char* kPalette[] = {"#333333", "#E69F00", "#0072B2", "#009E73",
                                             "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"};
  return kPalette[position % (sizeof kPalette / sizeof kPalette[0])];
}

std::string barChartSvg(const std::string& title, const std::vector<std::string>& variants,
                        const std::vector<BarPanel>& panels) {
  constexpr int kColumns = 3, kPanelWidth = 300, kPanelHeight = 200, kTop = 64;
  const int rows = static_cast<int>((panels.size() + kColumns - 1) / kColumns);
  const int width = kColumns * kPanelWidth, height = kTop + std::max(1, rows) * kPanelHeight + 10;
  std::ostringstream svg;
  svg << svgOpen(width, height);
  svg << text(10, 24, title, 18, "start", "font-weight=\"bold\"");
  // Legend: one swatch per variant.
  double legendX = 10;
  for (std::size_t v = 0; v < variants.size(); ++v) {
    svg << "<rect x=\"" << number(legendX) << "\" y=\"36\" width=\"12\" height=\"12\" fill=\""
        << variantColour(v) << "\"/>\n";
    svg << text(legendX + 16, 46, variants[v], 12);
    legendX += 16 + 7.5 * static_cast<double>(variants[v].size()) + 18;
  }
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const BarPanel& panel = panels[p];
    const double x0 = static_cast<double>(p % kColumns) * kPanelWidth + 10;
    const double y0 = kTop + static_cast<double>(p / kColumns) * kPanelHeight;
    svg << text(x0, y0 + 14, panel.title + (panel.unit.empty() ? "" : " [" + panel.unit + "]"), 12, "start",
                "font-weight=\"bold\"");
    if (!panel.note.empty()) svg << text(x0, y0 + 28, panel.note, 10, "start", "fill=\"#666666\"");
    double low = 0.0, high = 0.0;
    for (const auto& value : panel.values)
      if (value) {
        low = std::min(low, *value);
        high = std::max(high, *value);
      }
    if (high == low) high = low + 1.0;  // all zero: an empty axis from 0 to 1
    const double plotTop = y0 + 40, plotBottom = y0 + kPanelHeight - 30, plotLeft = x0 + 8,
                 plotRight = x0 + kPanelWidth - 30;
    auto yOf = [&](double value) {
      return plotBottom - (value - low) / (high - low) * (plotBottom - plotTop);
    };
    const double zeroY = yOf(0.0);
    svg << "<line x1=\"" << number(plotLeft) << "\" y1=\"" << number(zeroY) << "\" x2=\"" << number(plotRight)
        << "\" y2=\"" << number(zeroY) << "\" stroke=\"#999999\"/>\n";
    const double slot = (plotRight - plotLeft) / std::max<std::size_t>(1, panel.values.size());
    for (std::size_t v = 0; v < panel.values.size(); ++v) {
      const double x = plotLeft + slot * static_cast<double>(v) + slot * 0.15;
      if (!panel.values[v]) {
        svg << text(x + slot * 0.35, zeroY - 4, "n/a", 10, "middle", "fill=\"#999999\"");
        continue;
      }
      const double value = *panel.values[v];
      const double y = yOf(value);
      svg << "<rect x=\"" << number(x) << "\" y=\"" << number(std::min(y, zeroY)) << "\" width=\""
          << number(slot * 0.7) << "\" height=\"" << number(std::max(0.5, std::abs(zeroY - y)))
          << "\" fill=\"" << variantColour(v) << "\"><title>" << escapeMarkup(variants[v]) << ": "
          << formatValue(value) << "</title></rect>\n";
      const double labelY = value >= 0 ? std::min(y, zeroY) - 3 : std::max(y, zeroY) + 11;
      svg << text(x + slot * 0.35, labelY, formatValue(value), 10, "middle");
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string lineChartSvg(const std::string& title, const std::string& yLabel,
                         const std::vector<Line>& lines) {
  constexpr int kWidth = 900, kHeight = 360;  // legend below the x label
  constexpr double kLeft = 80, kRight = 880, kTop = 40, kBottom = 280;
  double tMin = std::numeric_limits<double>::infinity(), tMax = -tMin, vMin = tMin, vMax = -tMin;
  for (const Line& line : lines)
    for (const LinePoint& point : line.points) {
      tMin = std::min(tMin, point.timeS / 3600.0);
      tMax = std::max(tMax, point.timeS / 3600.0);
      vMin = std::min(vMin, point.value);
      vMax = std::max(vMax, point.value);
    }
  if (!std::isfinite(tMin)) tMin = tMax = vMin = vMax = 0.0;
  tMin = std::min(tMin, 0.0);           // from the start of the run
  vMin = std::min(vMin, 0.0);           // quantities here are amounts: the axis starts at zero
  if (vMax <= vMin) vMax = vMin + 1.0;  // all zero: an axis from 0 to 1, not one around 0
  const std::vector<double> xTicks = niceTicks(tMin, tMax, 8), yTicks = niceTicks(vMin, vMax, 5);
  const double xLow = xTicks.front(), xHigh = std::max(xTicks.back(), xLow + 1e-9);
  const double yLow = yTicks.front(), yHigh = std::max(yTicks.back(), yLow + 1e-9);
  auto xOf = [&](double hours) { return kLeft + (hours - xLow) / (xHigh - xLow) * (kRight - kLeft); };
  auto yOf = [&](double value) { return kBottom - (value - yLow) / (yHigh - yLow) * (kBottom - kTop); };

  std::ostringstream svg;
  svg << svgOpen(kWidth, kHeight);
  svg << text(10, 22, title, 16, "start", "font-weight=\"bold\"");
  for (double tick : yTicks) {
    svg << "<line x1=\"" << kLeft << "\" y1=\"" << number(yOf(tick)) << "\" x2=\"" << kRight << "\" y2=\""
        << number(yOf(tick)) << "\" stroke=\"#e0e0e0\"/>\n";
    svg << text(kLeft - 6, yOf(tick) + 4, tickText(tick), 11, "end");
  }
  for (double tick : xTicks) {
    svg << "<line x1=\"" << number(xOf(tick)) << "\" y1=\"" << kBottom << "\" x2=\"" << number(xOf(tick))
        << "\" y2=\"" << kBottom + 5 << "\" stroke=\"#666666\"/>\n";
    svg << text(xOf(tick), kBottom + 18, tickText(tick), 11, "middle");
  }
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kRight - kLeft << "\" height=\""
      << kBottom - kTop << "\" fill=\"none\" stroke=\"#666666\"/>\n";
  svg << text((kLeft + kRight) / 2, kBottom + 36, "hours from the start of the run", 12, "middle");
  svg << text(16, (kTop + kBottom) / 2, yLabel, 12, "middle",
              ("transform=\"rotate(-90 16 " + number((kTop + kBottom) / 2) + ")\"").c_str());
  double legendX = kLeft;
  for (const Line& line : lines) {
    if (line.points.empty()) continue;
    svg << "<polyline fill=\"none\" stroke=\"" << variantColour(line.variant)
        << "\" stroke-width=\"2\" points=\"";
    for (const LinePoint& point : line.points)
      svg << number(xOf(point.timeS / 3600.0)) << "," << number(yOf(point.value)) << " ";
    svg << "\"/>\n";
    if (line.points.size() == 1)
      svg << "<circle cx=\"" << number(xOf(line.points[0].timeS / 3600.0)) << "\" cy=\""
          << number(yOf(line.points[0].value)) << "\" r=\"3\" fill=\"" << variantColour(line.variant)
          << "\"/>\n";
    svg << "<rect x=\"" << number(legendX) << "\" y=\"" << kHeight - 20
        << "\" width=\"14\" height=\"4\" fill=\"" << variantColour(line.variant) << "\"/>\n";
    svg << text(legendX + 18, kHeight - 14, line.name, 12);
    legendX += 18 + 7.5 * static_cast<double>(line.name.size()) + 20;
  }
  if (lines.empty() ||
      std::all_of(lines.begin(), lines.end(), [](const Line& l) { return l.points.empty(); }))
    svg << text((kLeft + kRight) / 2, (kTop + kBottom) / 2, "no values recorded", 14, "middle",
                "fill=\"#999999\"");
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace citytwin::cli::report
