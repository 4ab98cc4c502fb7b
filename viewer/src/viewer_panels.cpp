#include "viewer_panels.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace citytwin::viewer {
namespace {

ImU32 toImColour(const Colour& c) { return ImGui::ColorConvertFloat4ToU32(ImVec4(c.r, c.g, c.b, c.a)); }

void drawRamp(const ColourRamp& ramp) {
  const float width = 220.0f;
  const float height = 14.0f;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  constexpr int kSteps = 32;
  for (int i = 0; i < kSteps; ++i) {
    const double v0 = ramp.minimum() + (ramp.maximum() - ramp.minimum()) * i / kSteps;
    const double v1 = ramp.minimum() + (ramp.maximum() - ramp.minimum()) * (i + 1) / kSteps;
    const float x0 = origin.x + width * static_cast<float>(i) / kSteps;
    const float x1 = origin.x + width * static_cast<float>(i + 1) / kSteps;
    draw->AddRectFilledMultiColor(ImVec2(x0, origin.y), ImVec2(x1, origin.y + height), toImColour(ramp.at(v0)),
                                  toImColour(ramp.at(v1)), toImColour(ramp.at(v1)), toImColour(ramp.at(v0)));
  }
  ImGui::Dummy(ImVec2(width, height));
  ImGui::Text("%.3g", ramp.minimum());
  ImGui::SameLine(width - 40.0f);
  ImGui::Text("%.3g %s", ramp.maximum(), ramp.unit().c_str());
}

void drawCategories(const CategoryLegend& categories) {
  for (const auto& [name, colour] : categories) {
    ImGui::ColorButton(name.c_str(), ImVec4(colour.r, colour.g, colour.b, 1.0f), ImGuiColorEditFlags_NoTooltip,
                       ImVec2(12, 12));
    ImGui::SameLine();
    ImGui::TextUnformatted(name.c_str());
  }
}

// A combo over "" (shown as `none`) and the given names; returns true when the choice changed.
bool pickName(const char* label, std::string& value, const char* none, const std::vector<std::string>& names) {
  bool changed = false;
  if (ImGui::BeginCombo(label, value.empty() ? none : value.c_str())) {
    if (ImGui::Selectable(none, value.empty())) {
      value.clear();
      changed = true;
    }
    for (const auto& name : names) {
      if (ImGui::Selectable(name.c_str(), value == name)) {
        value = name;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  return changed;
}

void layersPanel(CityView::Impl& view) {
  ImGui::SetNextWindowPos(ImVec2(10, 10), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(300, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("Layers");
  for (std::size_t i = 0; i < kLayerCount; ++i) {
    const auto id = static_cast<LayerId>(i);
    LayerStyle& style = view.settings.layer(id);
    ImGui::PushID(static_cast<int>(i));
    ImGui::Checkbox(std::string(toString(id)).c_str(), &style.visible);
    ImGui::SliderFloat("opacity", &style.opacity, 0.0f, 1.0f, "%.2f");
    ImGui::PopID();
  }
  ImGui::Separator();
  std::vector<std::string> buildingChoices{"height_m"};
  for (const auto& a : view.scene.attributes(city::Layer::Building, view.settings.variant)) buildingChoices.push_back(a);
  pickName("buildings by", view.settings.buildingAttribute, "use", buildingChoices);
  pickName("roads by", view.settings.roadAttribute, "class", view.scene.attributes(city::Layer::RoadLink, view.settings.variant));
  ImGui::End();
}

void timePanel(PanelState& panel, CityView::Impl& view) {
  if (!view.run) return;
  const auto [first, last] = view.run->timeSpan();
  ImGui::SetNextWindowPos(ImVec2(330, 10), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(520, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("Time and variants");
  float t = static_cast<float>(view.settings.timeS);
  if (ImGui::SliderFloat("time", &t, static_cast<float>(first), static_cast<float>(std::max(last, first + 1.0)),
                         formatClock(view.settings.timeS).c_str())) {
    view.settings.timeS = t;
  }
  if (panel.interactive) {
    if (ImGui::Button(panel.playing ? "Pause" : "Play")) panel.playing = !panel.playing;
    ImGui::SameLine();
    if (ImGui::Button("|<")) view.settings.timeS = first;
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160);
    ImGui::SliderFloat("speed (x)", &panel.speed, 1.0f, 3600.0f, "%.0f", ImGuiSliderFlags_Logarithmic);
  }
  std::vector<std::string> names;
  for (const auto& v : view.run->variants()) names.push_back(v.name);
  std::string a = view.scene.resolveVariant(view.settings.variant);
  if (pickName("variant A", a, names.front().c_str(), names)) view.settings.variant = a;
  pickName("compare with B", view.settings.compareVariant, "(none)", names);
  if (!view.settings.compareVariant.empty()) {
    int mode = view.settings.sideBySide ? 1 : 0;
    ImGui::RadioButton("difference", &mode, 0);
    ImGui::SameLine();
    ImGui::RadioButton("side by side", &mode, 1);
    view.settings.sideBySide = mode == 1;
    ImGui::TextWrapped(
        view.settings.sideBySide
            ? "A on the left, B on the right; both views move together and share their colour ramps."
            : "Showing B - A: water depth and the chosen result colours.");
  }
  ImGui::End();
}

void legendPanel(CityView::Impl& view) {
  ImGui::SetNextWindowPos(ImVec2(10, 430), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(300, 0), ImGuiCond_FirstUseEver);
  ImGui::Begin("Legend");
  for (const Legend& legend : view.scene.legends()) {
    ImGui::TextUnformatted(legend.title.c_str());
    if (legend.ramp) drawRamp(*legend.ramp);
    if (!legend.categories.empty()) drawCategories(legend.categories);
    ImGui::Spacing();
  }
  ImGui::End();
}

void kpiPanel(CityView::Impl& view) {
  if (!view.run || view.run->kpis().empty()) return;
  const auto& rows = view.run->kpis();
  ImGui::SetNextWindowPos(ImVec2(860, 10), ImGuiCond_FirstUseEver);
  ImGui::Begin("KPIs");
  const int columns = static_cast<int>(rows.front().size());
  if (ImGui::BeginTable("kpi", columns, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
    for (const auto& [name, value] : rows.front()) ImGui::TableSetupColumn(name.c_str());
    ImGui::TableHeadersRow();
    for (const auto& row : rows) {
      ImGui::TableNextRow();
      for (int c = 0; c < columns && c < static_cast<int>(row.size()); ++c) {
        ImGui::TableSetColumnIndex(c);
        ImGui::TextUnformatted(row[static_cast<std::size_t>(c)].second.c_str());
      }
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

void livePanel(CityView::Impl& view) {
  if (!view.live) return;
  const LiveStatus status = view.live->status();
  ImGui::SetNextWindowPos(ImVec2(860, 200), ImGuiCond_FirstUseEver);
  ImGui::Begin("Live", nullptr, ImGuiWindowFlags_AlwaysAutoResize);
  const ImVec4 green(0.3f, 0.85f, 0.35f, 1.0f);
  const ImVec4 red(0.95f, 0.35f, 0.3f, 1.0f);
  if (status.updated) {
    ImGui::TextColored(status.error.empty() ? green : red, "Live");
    ImGui::SameLine();
    ImGui::Text("updated %s UTC: %zu entities, %zu mapped", status.lastUpdateUtc.c_str(), status.entities,
                status.mapped);
  } else {
    ImGui::TextColored(status.error.empty() ? ImVec4(0.8f, 0.8f, 0.8f, 1.0f) : red,
                       status.polls == 0 ? "Live: connecting..." : "Live: no data yet");
  }
  if (!status.error.empty()) {
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 30.0f);
    ImGui::TextWrapped("%s (retrying)", status.error.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::End();
}

void selectionPanel(PanelState& panel, CityView::Impl& view) {
  if (!panel.picked) return;
  // Described again every frame: the time, the variant and live values move on while it is open.
  if (auto fresh = view.scene.describe(panel.picked->layer, panel.picked->index, view.settings,
                                       panel.pickedRight ? Side::B : Side::A)) {
    panel.picked = std::move(fresh);
  }
  ImGui::SetNextWindowPos(ImVec2(860, 300), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(340, 0), ImGuiCond_FirstUseEver);
  bool open = true;
  ImGui::Begin("Selection", &open);
  ImGui::Text("%s", panel.picked->id.c_str());
  ImGui::Separator();
  for (const auto& [label, value] : panel.picked->attributes) ImGui::Text("%-16s %s", label.c_str(), value.c_str());
  for (const auto& [attribute, points] : panel.pickedSeries) {
    if (points.size() < 2) continue;
    std::vector<float> values;
    for (const auto& point : points) values.push_back(static_cast<float>(point.second));
    ImGui::PlotLines(attribute.c_str(), values.data(), static_cast<int>(values.size()), 0, nullptr, FLT_MAX, FLT_MAX,
                     ImVec2(200, 50));
  }
  ImGui::End();
  if (!open) panel.picked.reset();
}

void viewpointPanel(PanelState& panel, CityView::Impl& view) {
  if (!panel.interactive) return;
  ImGui::SetNextWindowPos(ImVec2(330, 200), ImGuiCond_FirstUseEver);
  ImGui::Begin("Viewpoints");
  std::vector<Viewpoint> all = view.standard;
  all.insert(all.end(), view.saved.begin(), view.saved.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i % 4 != 0) ImGui::SameLine();
    if (ImGui::Button(all[i].name.c_str())) panel.goTo = all[i];
  }
  ImGui::InputText("name", panel.viewpointName, sizeof(panel.viewpointName));
  ImGui::SameLine();
  if (ImGui::Button("Save")) panel.saveViewpoint = true;
  if (ImGui::Button("Zoom to extent")) panel.zoomToExtent = true;
  ImGui::SameLine();
  if (ImGui::Button("Screenshot (P)")) panel.screenshot = true;
  ImGui::TextDisabled("Left drag rotate, middle drag pan, right drag / wheel zoom, click to pick");
  if (!panel.message.empty()) ImGui::TextWrapped("%s", panel.message.c_str());
  ImGui::End();
}

}  // namespace

std::string formatClock(double seconds) {
  const long total = std::lround(std::max(seconds, 0.0));
  char text[32];
  std::snprintf(text, sizeof(text), "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
  return text;
}

void drawPanels(PanelState& panel, CityView::Impl& view) {
  layersPanel(view);
  timePanel(panel, view);
  legendPanel(view);
  kpiPanel(view);
  livePanel(view);
  selectionPanel(panel, view);
  viewpointPanel(panel, view);
}

}  // namespace citytwin::viewer
