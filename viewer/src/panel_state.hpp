#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "citytwin/viewer/city_view.hpp"

namespace citytwin::viewer {

// What the panels show and what they ask the window loop to do.
struct PanelState {
  bool playing = false;
  float speed = 60.0f;  // simulated seconds per wall-clock second
  std::optional<PickedObject> picked;
  bool pickedRight = false;  // picked in the right view of a side-by-side comparison
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> pickedSeries;
  char viewpointName[64] = "my view";
  bool interactive = true;  // false when drawn into a screenshot: no buttons that need a window
  // Requests for the window loop.
  bool screenshot = false;
  bool zoomToExtent = false;
  bool saveViewpoint = false;
  std::optional<Viewpoint> goTo;
  std::string message;
};

}  // namespace citytwin::viewer
