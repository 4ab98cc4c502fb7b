#include "report/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <sstream>

#include "report/data_uri.hpp"
#include "report/markup_text.hpp"
#include "report/report_maps.hpp"
#include "report/report_series.hpp"
#include "report/svg_charts.hpp"

namespace citytwin::cli::report {
namespace {

constexpr const char* kStyle = R"css(
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1150px; color: #222; }
h1 { font-size: 26px; margin-bottom: 4px; } h2 { margin-top: 36px; border-bottom: 1px solid #ccc; }
.meta { color: #555; } table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; } th { background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; } td.better { background: #e3f4e3; } td.worse { background: #fbe3e3; }
figure { margin: 16px 0; page-break-inside: avoid; } figcaption { font-size: 12px; color: #555; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
)css";

std::string hoursText(double seconds) {
  const long minutes = std::lround(seconds / 60.0);
  return "t = " + std::to_string(minutes / 60) + " h " + (minutes % 60 < 10 ? "0" : "") +
         std::to_string(minutes % 60) + " min";
}

// The table's short form of the direction; the full one is in the KPI definitions at the end.
std::string betterText(const sim::KpiDefinition* definition) {
  if (!definition) return "?";
  switch (definition->direction) {
    case sim::KpiDirection::LowerIsBetter:
      return "lower";
    case sim::KpiDirection::HigherIsBetter:
      return "higher";
    case sim::KpiDirection::Neutral:
      return "-";
  }
  return "";
}

std::string directionText(const sim::KpiDefinition* definition) {
  if (!definition) return "not defined";
  switch (definition->direction) {
    case sim::KpiDirection::LowerIsBetter:
      return "lower is better";
    case sim::KpiDirection::HigherIsBetter:
      return "higher is better";
    case sim::KpiDirection::Neutral:
      return "context, not ranked";
  }
  return "";
}

std::string image(const std::string& uri, const std::string& alt) {
  return "<img src=\"" + uri + "\" alt=\"" + escapeMarkup(alt) + "\">";
}

std::string svgImage(const std::string& svg, const std::string& alt) {
  return image(dataUri("image/svg+xml", svg), alt);
}

std::optional<double> valueOf(const ReportVariant& variant, const KpiKey& key) {
  const auto found = variant.finals.find(key);
  if (found == variant.finals.end()) return std::nullopt;
  return found->second;
}

// KPI rows: value per variant with its change against the base, absolute and in %, shaded by whether the
// change is better or worse by the KPI's own direction.
void kpiTable(std::ostringstream& html, const RunReportData& data) {
  const std::vector<KpiKey> keys = data.kpiKeys();
  if (keys.empty()) {
    html << "<p>No KPIs: the scenario runs no models.</p>\n";
    return;
  }
  html << "<table>\n<tr><th>KPI</th><th>unit</th><th>better</th>";
  for (const ReportVariant& variant : data.variants)
    html << "<th>" << escapeMarkup(variant.record.name) << "</th>";
  html << "</tr>\n";
  for (const KpiKey& key : keys) {
    const sim::KpiDefinition* definition = data.definition(key);
    html << "<tr><td title=\""
         << escapeMarkup(definition ? definition->meaning + " (" + definition->window + ")" : "") << "\">"
         << escapeMarkup(key.first + "." + key.second) << "</td><td>"
         << escapeMarkup(definition ? definition->unit : "?") << "</td><td>" << betterText(definition)
         << "</td>";
    const std::optional<double> base = valueOf(data.variants.front(), key);
    for (std::size_t v = 0; v < data.variants.size(); ++v) {
      const std::optional<double> value = valueOf(data.variants[v], key);
      if (!value) {
        html << "<td class=\"num\">-</td>";
        continue;
      }
      if (v == 0 || !base) {
        html << "<td class=\"num\">" << formatValue(*value) << "</td>";
        continue;
      }
      const double change = *value - *base;
      std::string shade;
      if (definition && change != 0.0 && definition->direction != sim::KpiDirection::Neutral) {
        const bool lowerBetter = definition->direction == sim::KpiDirection::LowerIsBetter;
        shade = (change < 0) == lowerBetter ? " better" : " worse";
      }
      html << "<td class=\"num" << shade << "\">" << formatValue(*value) << "<br>" << (change > 0 ? "+" : "")
           << formatValue(change);
      if (*base != 0.0) {
        char percent[32];
        std::snprintf(percent, sizeof percent, " (%+.1f %%)", 100.0 * change / std::abs(*base));
        html << percent;
      }
      html << "</td>";
    }
    html << "</tr>\n";
  }
  html << "</table>\n<p class=\"meta\">Each variant's cell: its value, then its change against the base "
          "(absolute, and in % of the base where the base is not 0); green where the change is better by the "
          "KPI's direction, red where worse; \"-\" in <i>better</i>: context, not ranked. The KPI "
          "definitions at the "
          "end say what each one means and over what window.</p>\n";
}

void barCharts(std::ostringstream& html, const RunReportData& data) {
  std::vector<std::string> names;
  for (const ReportVariant& variant : data.variants) names.push_back(variant.record.name);
  std::map<std::string, std::vector<BarPanel>> groups;
  for (const KpiKey& key : data.kpiKeys()) {
    const sim::KpiDefinition* definition = data.definition(key);
    BarPanel panel{key.second, definition ? definition->unit : "?", directionText(definition), {}};
    for (const ReportVariant& variant : data.variants) panel.values.push_back(valueOf(variant, key));
    groups[key.first].push_back(std::move(panel));
  }
  for (const auto& [model, panels] : groups) {
    html << "<figure>" << svgImage(barChartSvg(model + " KPIs by variant", names, panels), model + " KPIs")
         << "<figcaption>Final values of the " << escapeMarkup(model)
         << " KPIs, one panel per KPI on its own scale.</figcaption></figure>\n";
  }
}

using SeriesReader = std::function<std::optional<VariantSeries>(const ReportVariant&)>;

// One chart of one quantity with a line per variant that has it; nothing when no variant has it.
std::vector<std::optional<VariantSeries>> timeSeriesChart(std::ostringstream& html, const RunReportData& data,
                                                          const SeriesReader& read) {
  std::vector<std::optional<VariantSeries>> all;
  std::vector<Line> lines;
  const VariantSeries* shape = nullptr;
  for (std::size_t v = 0; v < data.variants.size(); ++v) {
    all.push_back(read(data.variants[v]));
    if (all.back()) lines.push_back({v, data.variants[v].record.name, all.back()->points});
  }
  for (const auto& series : all)
    if (series && !shape) shape = &*series;
  if (!shape) return all;
  html << "<figure>" << svgImage(lineChartSvg(shape->title, shape->yLabel, lines), shape->title)
       << "<figcaption>" << escapeMarkup(shape->title)
       << " over the run; source: " << escapeMarkup(shape->source) << ".</figcaption></figure>\n";
  return all;
}

template <class Better>
std::optional<LinePoint> extreme(const std::optional<VariantSeries>& series, Better better) {
  if (!series || series->points.empty()) return std::nullopt;
  LinePoint best = series->points.front();
  for (const LinePoint& point : series->points)
    if (better(point.value, best.value)) best = point;
  return best;
}

bool hasColumn(const std::vector<std::string>& header, const std::string& name) {
  return std::find(header.begin(), header.end(), name) != header.end();
}

}  // namespace

std::string buildReportHtml(const RunReportData& data, const city::CityModel& city,
                            const ReportOptions& options) {
  std::ostringstream html;
  const std::string& name = data.run.scenarioName;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>citytwin report: "
       << escapeMarkup(name) << "</title><style>" << kStyle << "</style></head><body>\n";
  html << "<h1>Scenario " << escapeMarkup(name) << "</h1>\n";
  if (!data.description.empty()) html << "<p>" << escapeMarkup(data.description) << "</p>\n";
  html << "<p class=\"meta\">Run " << data.run.id << " of " << escapeMarkup(data.folder.string()) << " ("
       << store::runStatusName(data.run.status) << "), started " << escapeMarkup(data.run.startedAt)
       << "; simulated from " << escapeMarkup(data.start) << " for "
       << formatValue(data.variants.front().record.endSeconds / 3600.0) << " h; city "
       << escapeMarkup(data.city.string()) << "; scenario file " << escapeMarkup(data.run.scenarioPath)
       << ".</p>\n";

  html << "<h2 id=\"variants\">Variants</h2>\n<table><tr><th>variant</th><th>what "
          "changes</th><th>status</th></tr>\n";
  for (const ReportVariant& variant : data.variants)
    html << "<tr><td>" << escapeMarkup(variant.record.name) << "</td><td>"
         << escapeMarkup(variant.record.name == "base" && variant.record.description.empty()
                             ? "the scenario as written"
                             : variant.record.description)
         << "</td><td>" << store::runStatusName(variant.record.status) << "</td></tr>\n";
  html << "</table>\n";

  html << "<h2 id=\"kpis\">Key performance indicators</h2>\n";
  kpiTable(html, data);
  barCharts(html, data);

  html << "<h2 id=\"time\">Over time</h2>\n";
  const std::size_t before = static_cast<std::size_t>(html.tellp());
  const auto volume = timeSeriesChart(html, data, floodVolume);
  const auto area =
      timeSeriesChart(html, data, [&](const ReportVariant& v) { return floodedArea(v, data.floodedDepthM); });
  const auto speed =
      timeSeriesChart(html, data, [&](const ReportVariant& v) { return networkSpeed(v, city); });
  timeSeriesChart(html, data, vehiclesInNetwork);
  const auto demand = timeSeriesChart(html, data, electricityDemand);
  const auto unserved = timeSeriesChart(html, data, unservedDemand);
  if (static_cast<std::size_t>(html.tellp()) == before)
    html << "<p>No time series: none of the flood, traffic or energy models ran.</p>\n";

  // The worst moment of each variant for each model it ran, coloured by what shows it.
  std::vector<MapMoment> moments;
  for (std::size_t v = 0; v < data.variants.size(); ++v) {
    const ReportVariant& variant = data.variants[v];
    const auto buildings = csvHeader(variant.folder / "state" / "building.csv");
    auto roads = csvHeader(variant.folder / "state" / "road_link.csv");
    const auto links = csvHeader(variant.folder / "traffic" / "links.csv");
    roads.insert(roads.end(), links.begin(), links.end());
    const std::string flood = hasColumn(buildings, "max_flood_depth_m") ? "max_flood_depth_m" : "";
    const auto worst = extreme(area[v], std::greater<>());
    if (worst && worst->value > 0.0) {
      moments.push_back({variant.record.name, "most area under water (" + formatValue(worst->value) + " m2)",
                         worst->timeS, flood,
                         hasColumn(roads, "max_flood_depth_m") ? "max_flood_depth_m" : ""});
    }
    const auto mostUnserved = extreme(unserved[v], std::greater<>());
    if (mostUnserved && mostUnserved->value > 0.0) {
      moments.push_back({variant.record.name,
                         "most unserved demand (" + formatValue(mostUnserved->value) + " MW)",
                         mostUnserved->timeS, hasColumn(buildings, "supplied") ? "supplied" : flood, ""});
    } else if (const auto peak = extreme(demand[v], std::greater<>())) {
      moments.push_back({variant.record.name, "peak demand (" + formatValue(peak->value) + " MW)",
                         peak->timeS, hasColumn(buildings, "electric_load_kw") ? "electric_load_kw" : "",
                         ""});
    }
    if (const auto slowest = extreme(speed[v], std::less<>())) {
      moments.push_back({variant.record.name,
                         "lowest network speed (" + formatValue(slowest->value) + " km/h)", slowest->timeS,
                         flood, hasColumn(roads, "mean_speed_kph") ? "mean_speed_kph" : ""});
    }
  }
  for (MapMoment& moment : moments) {
    const std::filesystem::path folder = data.folder / moment.variant;
    moment.cityOnly = !std::filesystem::is_directory(folder / "flood") &&
                      !std::filesystem::is_directory(folder / "traffic") &&
                      !std::filesystem::is_directory(folder / "state");
  }
  if (options.maps && !moments.empty()) {
    html << "<h2 id=\"maps\">Maps at the worst moments</h2>\n";
    // Without map layers every variant's map is the same city: it is drawn once, the moments are listed.
    std::vector<MapMoment> drawn;
    std::vector<std::string> cityOnlyCaptions;
    for (const MapMoment& moment : moments) {
      if (moment.cityOnly && !cityOnlyCaptions.empty()) {
        cityOnlyCaptions.push_back(moment.variant + ": " + moment.what + " at " + hoursText(moment.timeS));
        continue;
      }
      if (moment.cityOnly)
        cityOnlyCaptions.push_back(moment.variant + ": " + moment.what + " at " + hoursText(moment.timeS));
      drawn.push_back(moment);
    }
    const std::vector<std::string> pictures =
        renderMaps(city, data.folder, drawn, options.mapWidth, options.mapHeight);
    for (std::size_t m = 0; m < drawn.size(); ++m) {
      const MapMoment& moment = drawn[m];
      const std::string caption =
          moment.cityOnly ? "The city of the run"
                          : moment.variant + ": " + moment.what + " at " + hoursText(moment.timeS);
      html << "<figure>" << image(dataUri("image/png", pictures[m]), caption) << "<figcaption><b>"
           << escapeMarkup(caption) << "</b>. ";
      if (moment.cityOnly) {
        html
            << "The run recorded no map layers (set <code>state_step</code> in the scenario to record the "
               "city state), so the map shows the city alone, buildings coloured by use. The worst moments: ";
        for (std::size_t c = 0; c < cityOnlyCaptions.size(); ++c)
          html << (c ? "; " : "") << escapeMarkup(cityOnlyCaptions[c]);
        html << ".</figcaption></figure>\n";
        continue;
      }
      html << "Buildings coloured by "
           << escapeMarkup(moment.buildingColumn.empty() ? "use" : moment.buildingColumn) << ", roads by "
           << escapeMarkup(moment.roadColumn.empty() ? "class" : moment.roadColumn)
           << "; water depth in blue where the flood model ran.</figcaption></figure>\n";
    }
  }

  html << "<h2 id=\"definitions\">KPI "
          "definitions</h2>\n<table><tr><th>KPI</th><th>unit</th><th>better</th><th>window</th>"
          "<th>meaning</th></tr>\n";
  for (const KpiKey& key : data.kpiKeys()) {
    const sim::KpiDefinition* definition = data.definition(key);
    html << "<tr><td>" << escapeMarkup(key.first + "." + key.second) << "</td><td>"
         << escapeMarkup(definition ? definition->unit : "?") << "</td><td>" << directionText(definition)
         << "</td><td>" << escapeMarkup(definition ? definition->window : "") << "</td><td>"
         << escapeMarkup(definition ? definition->meaning : "no definition in this build") << "</td></tr>\n";
  }
  html << "</table>\n<p class=\"meta\">Written by <code>citytwin report</code>.</p>\n</body></html>\n";
  return html.str();
}

}  // namespace citytwin::cli::report
