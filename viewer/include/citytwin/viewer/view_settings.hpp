#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace citytwin::viewer {

// The layers of the scene, each with its own visibility and opacity in the layer panel.
enum class LayerId : std::size_t { Terrain, Buildings, Roads, Water, WaterDifference, Vehicles, Sensors };
inline constexpr std::size_t kLayerCount = 7;
std::string_view toString(LayerId layer);

struct LayerStyle {
  bool visible = true;
  float opacity = 1.0f;  // 0..1
};

// Everything the user chooses about what is shown; the scene follows it on the next frame.
struct ViewSettings {
  std::array<LayerStyle, kLayerCount> layers{};
  double timeS = 0.0;             // seconds from the start of the run
  std::string variant;            // empty: the first variant of the run
  std::string compareVariant;     // the B of an A/B comparison (difference layer: B minus A); empty: none
  bool sideBySide = false;        // with a B: A on the left and B on the right instead of the difference
  std::string buildingAttribute;  // empty: colour by use; "height_m"; or a building column of the run
  std::string roadAttribute;      // empty: colour by class; or a road_link column of the run
  bool showInterface = false;     // the Dear ImGui panels: always in the window, in screenshots on request
  // Legend, time, scale bar and north arrow drawn over the map: screenshots have them unless turned off.
  bool annotate = false;

  ViewSettings();
  LayerStyle& layer(LayerId id) { return layers[static_cast<std::size_t>(id)]; }
  const LayerStyle& layer(LayerId id) const { return layers[static_cast<std::size_t>(id)]; }
};

}  // namespace citytwin::viewer
