#pragma once

#include <string>

#include "city_view_impl.hpp"

namespace citytwin::viewer {

// The Dear ImGui panels: layers, time, variants, legend, KPIs, selection, viewpoints.
void drawPanels(PanelState& panel, CityView::Impl& view);

// "1:05:00" for 3900 seconds.
std::string formatClock(double seconds);
// A value with four significant digits (whole numbers from 1000 on), "-" when missing.
std::string formatValue(double value);
// "+12.3 (+4.5%)": the change of `value` against `base`, absolute and relative.
std::string formatChange(double value, double base);

}  // namespace citytwin::viewer
