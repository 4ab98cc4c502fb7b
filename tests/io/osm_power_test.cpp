// OSM power=* features become grid assets marked "osm": substations mapped as nodes, closed ways and building
// areas; transformers outside a mapped substation; lines, cables and minor lines tied to a substation at an
// end.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <string>

#include "citytwin/io/osm_import.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

namespace {

// A street with a substation node (20 kV / 400 V) at its west end, a substation drawn as a closed way (no
// building tag), one building that is a substation, a transformer inside the node substation, one on its own
// pole, a 20 kV cable leaving the node substation and a 400 V minor line far from any substation.
constexpr const char* kPowerOsm = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version='0.6' generator='hand'>
  <node id='1' version='1' lat='43.7300' lon='7.4200' />
  <node id='2' version='1' lat='43.7300' lon='7.4240' />
  <node id='10' version='1' lat='43.73005' lon='7.42001'>
    <tag k='power' v='substation' /><tag k='substation' v='minor_distribution' /><tag k='voltage' v='20000;400' />
    <tag k='name' v='Poste Ouest' />
  </node>
  <node id='11' version='1' lat='43.73006' lon='7.42002'><tag k='power' v='transformer' /></node>
  <node id='12' version='1' lat='43.7310' lon='7.4230'><tag k='power' v='transformer' /><tag k='ref' v='T12' /></node>
  <node id='20' version='1' lat='43.7305' lon='7.4220' />
  <node id='21' version='1' lat='43.7305' lon='7.4222' />
  <node id='22' version='1' lat='43.7307' lon='7.4222' />
  <node id='23' version='1' lat='43.7307' lon='7.4220' />
  <node id='30' version='1' lat='43.7295' lon='7.4210' />
  <node id='31' version='1' lat='43.7295' lon='7.4212' />
  <node id='32' version='1' lat='43.7296' lon='7.4212' />
  <node id='33' version='1' lat='43.7296' lon='7.4210' />
  <node id='40' version='1' lat='43.73004' lon='7.42003' />
  <node id='41' version='1' lat='43.7302' lon='7.4230' />
  <node id='50' version='1' lat='43.7320' lon='7.4200' />
  <node id='51' version='1' lat='43.7320' lon='7.4240' />
  <way id='100' version='1'><nd ref='1' /><nd ref='2' /><tag k='highway' v='residential' /></way>
  <way id='200' version='1'>
    <nd ref='20' /><nd ref='21' /><nd ref='22' /><nd ref='23' /><nd ref='20' />
    <tag k='power' v='substation' /><tag k='voltage' v='63000;20000' />
  </way>
  <way id='300' version='1'>
    <nd ref='30' /><nd ref='31' /><nd ref='32' /><nd ref='33' /><nd ref='30' />
    <tag k='building' v='service' /><tag k='power' v='substation' />
  </way>
  <way id='400' version='1'>
    <nd ref='40' /><nd ref='41' /><tag k='power' v='cable' /><tag k='voltage' v='20000' />
  </way>
  <way id='500' version='1'>
    <nd ref='50' /><nd ref='51' /><tag k='power' v='minor_line' /><tag k='voltage' v='400' />
  </way>
</osm>
)";

}  // namespace

TEST_CASE("OSM power features become grid assets marked osm") {
  const auto osm = testing::scratchDirectory() / "power.osm";
  {
    std::ofstream out(osm, std::ios::binary);
    out << kPowerOsm;
  }
  io::OsmImportOptions options;
  options.osm = osm;
  const io::OsmImportResult result = io::importOsm(options);
  const city::GridAssets& grid = result.city.grid;
  std::map<std::string, const city::Substation*> sites;
  for (const city::Substation& s : grid.substations) {
    CHECK(s.source == "osm");
    sites[s.id] = &s;
  }
  CHECK(result.report.osmSubstations == 4);
  REQUIRE(sites.size() == 4);
  REQUIRE(sites.count("osm:node/10") == 1);
  CHECK(sites["osm:node/10"]->name == "Poste Ouest");
  CHECK(sites["osm:node/10"]->primaryKv == doctest::Approx(20.0));
  CHECK(sites["osm:node/10"]->secondaryKv == doctest::Approx(0.4));
  REQUIRE(sites.count("osm:way/200") == 1);
  CHECK(sites["osm:way/200"]->primaryKv == doctest::Approx(63.0));
  CHECK(sites["osm:way/200"]->secondaryKv == doctest::Approx(20.0));
  CHECK(sites.count("osm:way/300") == 1);  // also imported as a building
  CHECK(sites.count("osm:node/11") == 0);  // inside substation 10
  REQUIRE(sites.count("osm:node/12") == 1);
  CHECK(sites["osm:node/12"]->name == "T12");

  CHECK(result.report.osmPowerLines == 2);
  std::map<std::string, const city::Feeder*> lines;
  for (const city::Feeder& f : grid.feeders) lines[f.id] = &f;
  REQUIRE(lines.count("osm:way/400") == 1);
  REQUIRE(lines.count("osm:way/500") == 1);
  CHECK(lines["osm:way/400"]->source == "osm");
  CHECK(lines["osm:way/400"]->voltageKv == doctest::Approx(20.0));
  CHECK(grid.substations.at(lines["osm:way/400"]->substation).id == "osm:node/10");
  CHECK(lines["osm:way/400"]->servedBuildings.empty());
  CHECK(lines["osm:way/500"]->substation == city::kNoSubstation);
  CHECK(lines["osm:way/500"]->voltageKv == doctest::Approx(0.4));
}
