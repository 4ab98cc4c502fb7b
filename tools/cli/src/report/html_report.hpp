#pragma once

#include <string>

#include "citytwin/city/city_model.hpp"
#include "report/run_report_data.hpp"

namespace citytwin::cli::report {

struct ReportOptions {
  bool maps = true;  // render a map of each variant at its worst moments (needs an X display)
  int mapWidth = 1200;
  int mapHeight = 675;
};

// The whole report as one self-contained HTML page: every chart and map is a data: URI, nothing is fetched.
std::string buildReportHtml(const RunReportData& data, const city::CityModel& city,
                            const ReportOptions& options);

}  // namespace citytwin::cli::report
