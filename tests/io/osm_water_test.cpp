// The water layer of an OSM import: the sea closed from a coastline that crosses the area, a pond and
// a stream, and the layer's way through the city file.

#include <doctest/doctest.h>

#include <fstream>

#include "citytwin/geo/coordinate_transform.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {

// A street square between 43.7300 and 43.7315 N; the coastline runs eastwards along 43.7303 N, so the
// land lies north of it (on its left) and the sea south. A pond in the north-west, a stream with a
// tagged width flowing to the sea, and a culverted drain.
constexpr const char* kCoastOsm = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6' generator='test'>
  <node id='1' lat='43.7300' lon='7.4200' />
  <node id='2' lat='43.7300' lon='7.4220' />
  <node id='3' lat='43.7315' lon='7.4220' />
  <node id='4' lat='43.7315' lon='7.4200' />
  <node id='11' lat='43.7303' lon='7.4190' />
  <node id='12' lat='43.7303' lon='7.4210' />
  <node id='13' lat='43.7303' lon='7.4230' />
  <node id='21' lat='43.7311' lon='7.4202' />
  <node id='22' lat='43.7311' lon='7.4205' />
  <node id='23' lat='43.7313' lon='7.4205' />
  <node id='24' lat='43.7313' lon='7.4202' />
  <node id='31' lat='43.7312' lon='7.4212' />
  <node id='32' lat='43.7303' lon='7.4212' />
  <node id='41' lat='43.7310' lon='7.4216' />
  <node id='42' lat='43.7305' lon='7.4216' />
  <way id='101'><nd ref='1' /><nd ref='2' /><nd ref='3' /><tag k='highway' v='residential' /></way>
  <way id='102'><nd ref='3' /><nd ref='4' /><nd ref='1' /><tag k='highway' v='residential' /></way>
  <way id='201'><nd ref='11' /><nd ref='12' /><tag k='natural' v='coastline' /></way>
  <way id='202'><nd ref='12' /><nd ref='13' /><tag k='natural' v='coastline' /></way>
  <way id='301'><nd ref='21' /><nd ref='22' /><nd ref='23' /><nd ref='24' /><nd ref='21' /><tag k='natural' v='water' /></way>
  <way id='401'><nd ref='31' /><nd ref='32' /><tag k='waterway' v='stream' /><tag k='width' v='3' /></way>
  <way id='402'><nd ref='41' /><nd ref='42' /><tag k='waterway' v='drain' /><tag k='tunnel' v='culvert' /></way>
</osm>
)";

}  // namespace

TEST_CASE(
    "OSM water: the coastline closes against the area into a sea on its right; ponds and streams import") {
  const auto folder = testing::scratchDirectory();
  const auto osm = folder / "coast.osm";
  std::ofstream(osm) << kCoastOsm;
  io::OsmImportOptions options;
  options.osm = osm;
  const city::CityModel city = io::importOsm(options).city;
  const geo::CoordinateTransform utm(city.crsName());
  const auto& water = city.water;
  const city::WaterArea* sea = nullptr;
  const city::WaterArea* pond = nullptr;
  for (const auto& area : water.areas) {
    if (area.kind == city::WaterKind::Sea) sea = &area;
    if (area.id == "osm:way/301") pond = &area;
  }
  REQUIRE(sea != nullptr);
  CHECK(geo::contains(sea->area, utm.fromWgs84({7.4210, 43.7301})));
  CHECK_FALSE(geo::contains(sea->area, utm.fromWgs84({7.4210, 43.7308})));
  CHECK_FALSE(geo::contains(sea->area, utm.fromWgs84({7.4201, 43.7314})));
  // The sea is the part of the streets' box (43.7300 to 43.7315 N) south of the coastline at 43.7303 N:
  // a fifth of it.
  const geo::BBox box = city.extent();
  CHECK(geo::area(sea->area) == doctest::Approx(box.width() * box.height() * 0.3 / 1.5).epsilon(0.03));
  REQUIRE(pond != nullptr);
  CHECK((pond->kind == city::WaterKind::WaterBody));
  CHECK(geo::contains(pond->area, utm.fromWgs84({7.42035, 43.7312})));
  REQUIRE(water.waterways.size() == 2);
  CHECK((water.waterways[0].kind == city::WaterKind::Stream));
  CHECK(water.waterways[0].widthM == 3.0);
  CHECK_FALSE(water.waterways[0].underground);
  CHECK((water.waterways[1].kind == city::WaterKind::Drain));
  CHECK(water.waterways[1].underground);

  const auto gpkg = folder / "coast.gpkg";
  io::saveCity(city, gpkg);
  const city::CityModel loaded = io::loadCity(gpkg);
  CHECK(loaded.water == city.water);
}
