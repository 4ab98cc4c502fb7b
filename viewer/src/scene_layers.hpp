#pragma once

#include <osg/BlendColor>
#include <osg/Geometry>
#include <osg/Group>

#include <initializer_list>
#include <memory>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/viewer/colour_ramp.hpp"
#include "indexed_colours.hpp"
#include "result_tables.hpp"
#include "scene_frame.hpp"

namespace citytwin::viewer {

// Terrain: the DEM as tiled triangles, coloured by elevation and shaded by a north-west sun.
struct TerrainLayer {
  osg::ref_ptr<osg::Group> node;
  osg::ref_ptr<osg::BlendColor> blend;
  ColourRamp ramp;
};
TerrainLayer buildTerrainLayer(const SceneFrame& frame, const city::WaterLayer& water);

// Buildings extruded from their footprints; the object index is the building's index in the city.
struct BuildingLayer {
  osg::ref_ptr<osg::Group> node;
  std::unique_ptr<IndexedColours> colours;
};
BuildingLayer buildBuildingLayer(const SceneFrame& frame, const std::vector<city::Building>& buildings);

// Road links as ribbons on the right-hand half of the carriageway (one-way links: the whole of it), so both
// directions of a street show their own flow; the object index is the link's index.
struct RoadLayer {
  osg::ref_ptr<osg::Group> node;
  std::unique_ptr<IndexedColours> colours;
};
RoadLayer buildRoadLayer(const SceneFrame& frame, const city::RoadNetwork& roads);
// Half-width of the carriageway drawn for a highway class, in metres.
double roadHalfWidthM(const city::RoadLink& link);

// Sensors as a mast with a cube on top, coloured by type.
struct SensorLayer {
  osg::ref_ptr<osg::Group> node;
  std::unique_ptr<IndexedColours> colours;
};
SensorLayer buildSensorLayer(const SceneFrame& frame, const std::vector<city::Sensor>& sensors);

// A layer made of one geometry that is rebuilt whenever its contents change (water, vehicles): vertex
// colours, unlit, with its own opacity.
struct DynamicLayerNode {
  DynamicLayerNode();
  // Replaces the geometry's vertices, their colours and the primitives (nullptr: none).
  void replace(osg::Vec3Array* vertices, osg::Vec4ubArray* colours, osg::PrimitiveSet* primitives);
  void setOpacity(float opacity);

  osg::ref_ptr<osg::Group> node;
  osg::ref_ptr<osg::Geometry> geometry;
  osg::ref_ptr<osg::BlendColor> blend;
};

// The water surface: one quad per wet cell of a depth raster, at ground level plus depth.
class WaterLayer {
 public:
  osg::Group* node() { return layer_.node.get(); }
  // Replaces the surface; `colourOf` maps a cell's value (depth, or a difference) to its colour and
  // cells where `wet` is false are left out.
  void update(const SceneFrame& frame, const geo::RasterGrid& surfaceDepth, const geo::RasterGrid& shownValue,
              const ColourRamp& ramp, double threshold);
  void clear();
  void setOpacity(float opacity) { layer_.setOpacity(opacity); }
  std::size_t wetCells() const { return wetCells_; }

 private:
  DynamicLayerNode layer_;
  std::size_t wetCells_ = 0;
};

// Vehicles as small boxes along their heading.
class VehicleLayer {
 public:
  osg::Group* node() { return layer_.node.get(); }
  void update(const SceneFrame& frame, const std::vector<VehiclePose>& poses);
  void setOpacity(float opacity) { layer_.setOpacity(opacity); }

 private:
  DynamicLayerNode layer_;
};

inline void appendIndices(osg::DrawElementsUInt& elements, std::initializer_list<unsigned> indices) {
  for (unsigned index : indices) elements.push_back(index);
}

// Blending by a constant alpha, so a layer with baked vertex colours can still be faded.
osg::ref_ptr<osg::BlendColor> makeLayerFadeable(osg::StateSet& stateSet);
void applyLayerOpacity(osg::StateSet& stateSet, osg::BlendColor& blend, float opacity);

}  // namespace citytwin::viewer
