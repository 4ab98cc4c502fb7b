#pragma once

#include <optional>
#include <string>
#include <vector>

namespace citytwin::cli::report {

// Charts drawn as standalone SVG documents (no script, no external fonts), so a page can embed them as
// images. Each variant keeps one colour across every chart of a report: `variant` below is its position.

// The colour of the variant at `position` (the base is 0), from a palette that colour-blind readers tell
// apart.
std::string variantColour(std::size_t position);

// One KPI of a group: a small bar chart with one bar per variant (nullopt: the variant has no value).
struct BarPanel {
  std::string title;  // the KPI's name
  std::string unit;
  std::string note;                           // e.g. "lower is better"
  std::vector<std::optional<double>> values;  // one per variant, in variant order
};

// Small multiples: one panel per KPI of a group (a model), variants as bars, each panel on its own scale
// because the units differ.
std::string barChartSvg(const std::string& title, const std::vector<std::string>& variants,
                        const std::vector<BarPanel>& panels);

struct LinePoint {
  double timeS = 0.0;
  double value = 0.0;
};
struct Line {
  std::size_t variant = 0;  // position, for the colour
  std::string name;
  std::vector<LinePoint> points;
};

// A time-series plot: hours from the start of the run on x, `yLabel` (with its unit) on y, one line per
// variant.
std::string lineChartSvg(const std::string& title, const std::string& yLabel, const std::vector<Line>& lines);

}  // namespace citytwin::cli::report
