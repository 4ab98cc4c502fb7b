#pragma once

// Names shared by the city file's writer and reader, so the two cannot drift apart.
namespace citytwin::io::layout {

inline constexpr const char* kRoadNodes = "road_nodes";
inline constexpr const char* kRoadLinks = "road_links";
inline constexpr const char* kBuildings = "buildings";
inline constexpr const char* kSensors = "sensors";
inline constexpr const char* kSubstations = "grid_substations";
inline constexpr const char* kFeeders = "grid_feeders";
inline constexpr const char* kWaterAreas = "water_areas";  // optional: files before the water layer lack it
inline constexpr const char* kWaterways = "waterways";
inline constexpr const char* kDem = "dem";
inline constexpr const char* kMetadata = "citytwin_metadata";
inline constexpr const char* kProvenance = "citytwin_provenance";

}  // namespace citytwin::io::layout
