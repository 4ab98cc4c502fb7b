#include <algorithm>
#include <cmath>

#include "scene_layers.hpp"

namespace citytwin::viewer {
namespace {

constexpr std::size_t kMaxVerticesPerSide = 400;  // decimate larger DEMs: keeps the first frame quick
constexpr std::size_t kTileQuads = 64;

osg::Vec4ub toBytes(const Colour& c, double shade) {
  const auto channel = [shade](float v) {
    return static_cast<unsigned char>(std::clamp(v * shade, 0.0, 1.0) * 255.0 + 0.5);
  };
  return {channel(c.r), channel(c.g), channel(c.b), 255};
}

// Sea and lakes are drawn as water, not tinted by elevation (SRTM puts the sea at 0 m, a low green).
const Colour kSea{0.16f, 0.36f, 0.58f, 1.0f};
const Colour kLake{0.22f, 0.45f, 0.66f, 1.0f};

struct WaterPart {
  const geo::Polygon* polygon;
  geo::BBox bounds;
  bool sea;
};

}  // namespace

TerrainLayer buildTerrainLayer(const SceneFrame& frame, const city::WaterLayer& water) {
  TerrainLayer layer;
  layer.node = new osg::Group;
  layer.blend = makeLayerFadeable(*layer.node->getOrCreateStateSet());
  layer.ramp = terrainRamp(frame.minimumElevation(), frame.maximumElevation());
  const geo::RasterGrid& dem = frame.terrain();

  // Without a DEM the ground is a flat plane over the city's extent.
  geo::RasterGrid flat;
  const geo::RasterGrid* grid = &dem;
  if (dem.empty()) {
    const geo::BBox box = frame.extent();
    const double cell = std::max(box.width(), box.height()) / 64.0;
    flat = geo::RasterGrid(66, 66, box.minX - cell, box.maxY + cell, cell, static_cast<float>(frame.minimumElevation()));
    grid = &flat;
  }
  const std::size_t stride = std::max<std::size_t>(1, (std::max(grid->columns, grid->rows) + kMaxVerticesPerSide - 1) / kMaxVerticesPerSide);
  const std::size_t columns = (grid->columns + stride - 1) / stride;
  const std::size_t rows = (grid->rows + stride - 1) / stride;
  if (columns < 2 || rows < 2) return layer;

  const auto elevation = [&](std::size_t c, std::size_t r) {
    const float v = grid->at(std::min(c * stride, grid->columns - 1), std::min(r * stride, grid->rows - 1));
    return (v == grid->noData || !std::isfinite(v)) ? frame.minimumElevation() : static_cast<double>(v);
  };
  const double spacing = grid->cellSize * static_cast<double>(stride);

  // Positions, colours (elevation tint x hillshade) for the whole decimated grid, then cut into tiles.
  std::vector<osg::Vec3> positions(columns * rows);
  std::vector<osg::Vec4ub> colours(columns * rows);
  const osg::Vec3 sun = osg::Vec3(-0.5f, 0.5f, 0.7071f);
  std::vector<WaterPart> waterParts;
  for (const city::WaterArea& area : water.areas)
    for (const geo::Polygon& part : area.area)
      waterParts.push_back({&part, geo::bounds(part.outer), area.kind == city::WaterKind::Sea});
  // A city imported without coastlines still shows its sea: ground at or below sea level (SRTM's 0 m) is
  // drawn as sea, as the flood grid treats it, unless the water layer says where the sea is.
  const bool seaMapped =
      std::any_of(waterParts.begin(), waterParts.end(), [](const WaterPart& part) { return part.sea; });
  const auto waterColour = [&](geo::Vec2 p, double z) -> const Colour* {
    for (const WaterPart& part : waterParts)
      if (part.bounds.contains(p) && geo::contains(*part.polygon, p)) return part.sea ? &kSea : &kLake;
    if (!seaMapped && z <= 0.0) return &kSea;
    return nullptr;
  };
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < columns; ++c) {
      const double z = elevation(c, r);
      const geo::Vec2 p = grid->cellCentre(std::min(c * stride, grid->columns - 1), std::min(r * stride, grid->rows - 1));
      positions[r * columns + c] = frame.toScene(p, z);
      const double dzdx = (elevation(std::min(c + 1, columns - 1), r) - elevation(c > 0 ? c - 1 : 0, r)) /
                          (spacing * static_cast<double>(std::min(c + 1, columns - 1) - (c > 0 ? c - 1 : 0)));
      // Rows run southwards.
      const double dzdy = (elevation(c, r > 0 ? r - 1 : 0) - elevation(c, std::min(r + 1, rows - 1))) /
                          (spacing * static_cast<double>(std::min(r + 1, rows - 1) - (r > 0 ? r - 1 : 0)));
      osg::Vec3 normal(static_cast<float>(-dzdx), static_cast<float>(-dzdy), 1.0f);
      normal.normalize();
      const double hillshade = std::max(0.0f, normal * sun);
      const Colour* wet = waterColour(p, z);
      colours[r * columns + c] =
          wet ? toBytes(*wet, 1.0) : toBytes(layer.ramp.at(z), 0.35 + 0.65 * hillshade / 0.7071);
    }
  }

  for (std::size_t r0 = 0; r0 + 1 < rows; r0 += kTileQuads) {
    for (std::size_t c0 = 0; c0 + 1 < columns; c0 += kTileQuads) {
      const std::size_t r1 = std::min(r0 + kTileQuads, rows - 1);
      const std::size_t c1 = std::min(c0 + kTileQuads, columns - 1);
      const std::size_t width = c1 - c0 + 1;
      auto* vertices = new osg::Vec3Array;
      auto* vertexColours = new osg::Vec4ubArray;
      for (std::size_t r = r0; r <= r1; ++r) {
        for (std::size_t c = c0; c <= c1; ++c) {
          vertices->push_back(positions[r * columns + c]);
          vertexColours->push_back(colours[r * columns + c]);
        }
      }
      auto* triangles = new osg::DrawElementsUInt(GL_TRIANGLES);
      for (std::size_t r = 0; r + r0 < r1; ++r) {
        for (std::size_t c = 0; c + c0 < c1; ++c) {
          const auto at = [&](std::size_t rr, std::size_t cc) { return static_cast<unsigned>(rr * width + cc); };
          // Counter-clockwise seen from above (rows run south).
          appendIndices(*triangles, {at(r, c), at(r + 1, c), at(r + 1, c + 1)});
          appendIndices(*triangles, {at(r, c), at(r + 1, c + 1), at(r, c + 1)});
        }
      }
      osg::ref_ptr<osg::Geometry> geometry = new osg::Geometry;
      geometry->setUseDisplayList(false);
      geometry->setUseVertexBufferObjects(true);
      geometry->setVertexArray(vertices);
      geometry->setColorArray(vertexColours, osg::Array::BIND_PER_VERTEX);
      vertexColours->setNormalize(true);
      geometry->addPrimitiveSet(triangles);
      layer.node->addChild(geometry);
    }
  }
  layer.node->getOrCreateStateSet()->setMode(GL_LIGHTING, osg::StateAttribute::OFF | osg::StateAttribute::OVERRIDE);
  return layer;
}

}  // namespace citytwin::viewer
