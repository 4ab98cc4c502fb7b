#pragma once

#include <osg/Geometry>
#include <osg/Image>
#include <osg/StateSet>
#include <osg/Texture2D>
#include <osg/Uniform>

#include <cstddef>

#include "citytwin/viewer/colour_ramp.hpp"

namespace citytwin::viewer {

// Vertex attribute slot carrying the index of the city object a vertex belongs to.
inline constexpr unsigned kObjectIndexAttribute = 6;

// One colour per city object in a small texture that a vertex shader reads through the object index of
// each vertex: recolouring a layer by another attribute or another time rewrites only this table.
class IndexedColours {
 public:
  // Each layer reads its table from its own texture unit, so that one state set above the whole scene can
  // swap in another table for every layer at once (the second view of a side-by-side comparison).
  IndexedColours(std::size_t objectCount, bool lit, unsigned textureUnit);

  void set(std::size_t object, const Colour& colour);
  // Uploads the table after a series of set().
  void commit() { image_->dirty(); }
  // Below 1 the layer is blended and drawn after the opaque ones.
  void setOpacity(float opacity);
  osg::StateSet* stateSet() { return stateSet_.get(); }
  // Makes everything below `stateSet` read this table instead of the layer's own one with the same unit.
  void overrideIn(osg::StateSet& stateSet) const;

 private:
  osg::ref_ptr<osg::Image> image_;
  osg::ref_ptr<osg::Texture2D> texture_;
  osg::ref_ptr<osg::Uniform> opacity_;
  osg::ref_ptr<osg::StateSet> stateSet_;
  int width_ = 1;
  unsigned unit_ = 0;
};

// Texture units of the colour tables, one per layer.
inline constexpr unsigned kBuildingColourUnit = 1;
inline constexpr unsigned kRoadColourUnit = 2;
inline constexpr unsigned kSensorColourUnit = 3;

// Attaches the per-vertex object indices to a geometry.
void setObjectIndices(osg::Geometry& geometry, osg::FloatArray* indices);
// The object index of vertex `vertex` of a geometry built with setObjectIndices, or -1.
long objectIndexOf(const osg::Geometry& geometry, unsigned vertex);

}  // namespace citytwin::viewer
