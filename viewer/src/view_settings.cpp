#include "citytwin/viewer/view_settings.hpp"

namespace citytwin::viewer {

std::string_view toString(LayerId layer) {
  switch (layer) {
    case LayerId::Terrain: return "Terrain";
    case LayerId::Buildings: return "Buildings";
    case LayerId::Roads: return "Roads";
    case LayerId::Water: return "Water";
    case LayerId::WaterDifference: return "Water difference (B - A)";
    case LayerId::Vehicles: return "Vehicles";
    case LayerId::Sensors: return "Sensors";
  }
  return "?";
}

ViewSettings::ViewSettings() {
  layer(LayerId::Water).opacity = 0.85f;
  // The difference layer only makes sense once a comparison variant is picked; it replaces the water.
  layer(LayerId::WaterDifference).visible = true;
}

}  // namespace citytwin::viewer
