#include <algorithm>

#include "scene_layers.hpp"
#include "tiled_mesh.hpp"

namespace citytwin::viewer {

SensorLayer buildSensorLayer(const SceneFrame& frame, const std::vector<city::Sensor>& sensors) {
  TiledMesh mesh(tileSizeFor(frame.extent()));
  const double scale = std::clamp(std::max(frame.extent().width(), frame.extent().height()) / 1000.0, 1.0, 2.5);
  for (std::size_t index = 0; index < sensors.size(); ++index) {
    const city::Sensor& sensor = sensors[index];
    TiledMesh::Tile& tile = mesh.tileAt(sensor.position);
    const double ground = frame.groundAt(sensor.position);
    // A mast and a cube on top, both boxes.
    const auto box = [&](double half, double bottom, double top) {
      const geo::Vec2 c = sensor.position;
      const geo::Vec2 corners[4] = {{c.x - half, c.y - half}, {c.x + half, c.y - half}, {c.x + half, c.y + half}, {c.x - half, c.y + half}};
      const osg::Vec3 normals[4] = {{0, -1, 0}, {1, 0, 0}, {0, 1, 0}, {-1, 0, 0}};
      for (int side = 0; side < 4; ++side) {
        const geo::Vec2 a = corners[side];
        const geo::Vec2 b = corners[(side + 1) % 4];
        const auto v0 = tile.add(frame.toScene(a, bottom), normals[side], index);
        const auto v1 = tile.add(frame.toScene(b, bottom), normals[side], index);
        const auto v2 = tile.add(frame.toScene(b, top), normals[side], index);
        const auto v3 = tile.add(frame.toScene(a, top), normals[side], index);
        tile.quad(v0, v1, v2, v3);
      }
      const osg::Vec3 up(0, 0, 1);
      const auto t0 = tile.add(frame.toScene(corners[0], top), up, index);
      const auto t1 = tile.add(frame.toScene(corners[1], top), up, index);
      const auto t2 = tile.add(frame.toScene(corners[2], top), up, index);
      const auto t3 = tile.add(frame.toScene(corners[3], top), up, index);
      tile.quad(t0, t1, t2, t3);
    };
    box(0.6 * scale, ground, ground + 14.0 * scale);
    box(3.0 * scale, ground + 14.0 * scale, ground + 20.0 * scale);
  }
  SensorLayer layer;
  layer.node = mesh.build();
  layer.colours = std::make_unique<IndexedColours>(sensors.size(), true, kSensorColourUnit);
  for (std::size_t i = 0; i < sensors.size(); ++i) layer.colours->set(i, sensorTypeColour(sensors[i].type));
  layer.colours->commit();
  layer.node->setStateSet(layer.colours->stateSet());
  return layer;
}

}  // namespace citytwin::viewer
