#pragma once

#include <string>

#include "city_view_impl.hpp"

namespace citytwin::viewer {

// The Dear ImGui panels: layers, time, variants, legend, KPIs, selection, viewpoints.
void drawPanels(PanelState& panel, CityView::Impl& view);

// "1:05:00" for 3900 seconds.
std::string formatClock(double seconds);

}  // namespace citytwin::viewer
