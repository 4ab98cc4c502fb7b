#include "tiled_mesh.hpp"

#include <osg/LOD>

#include <algorithm>
#include <cfloat>

#include "indexed_colours.hpp"

namespace citytwin::viewer {

osg::ref_ptr<osg::Group> TiledMesh::build(double detailRangeM) const {
  osg::ref_ptr<osg::Group> group = new osg::Group;
  for (const auto& [key, tile] : tiles_) {
    if (tile.triangles.empty()) continue;
    osg::ref_ptr<osg::Vec3Array> vertices = new osg::Vec3Array(tile.vertices.begin(), tile.vertices.end());
    osg::ref_ptr<osg::Vec3Array> normals = new osg::Vec3Array(tile.normals.begin(), tile.normals.end());
    osg::ref_ptr<osg::FloatArray> objects = new osg::FloatArray(tile.objects.begin(), tile.objects.end());
    // Both levels share the vertex arrays; only the triangle lists differ.
    const auto geometryOf = [&](const std::vector<std::uint32_t>& triangles) {
      osg::ref_ptr<osg::Geometry> geometry = new osg::Geometry;
      geometry->setUseDisplayList(false);
      geometry->setUseVertexBufferObjects(true);
      geometry->setVertexArray(vertices.get());
      geometry->setNormalArray(normals.get(), osg::Array::BIND_PER_VERTEX);
      setObjectIndices(*geometry, objects.get());
      geometry->addPrimitiveSet(new osg::DrawElementsUInt(GL_TRIANGLES, triangles.begin(), triangles.end()));
      return geometry;
    };
    if (detailRangeM > 0.0 && !tile.distantTriangles.empty()) {
      osg::ref_ptr<osg::LOD> lod = new osg::LOD;
      lod->addChild(geometryOf(tile.triangles), 0.0f, static_cast<float>(detailRangeM));
      lod->addChild(geometryOf(tile.distantTriangles), static_cast<float>(detailRangeM), FLT_MAX);
      group->addChild(lod);
    } else {
      group->addChild(geometryOf(tile.triangles));
    }
  }
  return group;
}

double tileSizeFor(const geo::BBox& extent) {
  const double size = extent.empty() ? 1000.0 : std::max(extent.width(), extent.height());
  return std::clamp(size / 16.0, 200.0, 1000.0);
}

}  // namespace citytwin::viewer
