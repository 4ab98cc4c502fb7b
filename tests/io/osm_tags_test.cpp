#include <doctest/doctest.h>

#include "citytwin/io/osm_tags.hpp"

using namespace citytwin::io;

TEST_CASE("GDAL's other_tags column is parsed with escaped quotes") {
  OsmTags tags;
  tags.set("highway", "primary");
  tags.addHstore(R"("oneway"=>"yes","name:fr"=>"Boulevard \"Princesse\"","highway"=>"ignored")");
  CHECK(tags.get("oneway") == "yes");
  CHECK(tags.get("name:fr") == "Boulevard \"Princesse\"");
  CHECK(tags.get("highway") == "primary");
  CHECK_FALSE(tags.has("lanes"));
}

TEST_CASE("heights in OSM's usual spellings") {
  CHECK(parseLengthMetres("12") == 12.0);
  CHECK(parseLengthMetres("12.5 m") == 12.5);
  CHECK(parseLengthMetres("12.5m") == 12.5);
  CHECK(*parseLengthMetres("40 ft") == doctest::Approx(12.192));
  CHECK(*parseLengthMetres("12'6\"") == doctest::Approx(3.81));
  CHECK_FALSE(parseLengthMetres("tall"));
  CHECK_FALSE(parseLengthMetres(""));
}

TEST_CASE("levels, years, speeds and lanes") {
  CHECK(parseLevels("3") == 3);
  CHECK(parseLevels("3.5") == 4);
  CHECK_FALSE(parseLevels("-1"));
  CHECK(parseYear("1905-05-01") == 1905);
  CHECK(parseYear("~1890") == 1890);
  CHECK_FALSE(parseYear("C19"));
  CHECK(parseSpeedKph("50") == 50.0);
  CHECK(*parseSpeedKph("30 mph") == doctest::Approx(48.28032));
  CHECK_FALSE(parseSpeedKph("walk"));
  CHECK(parsePositiveInt("2;3") == 2);
  CHECK_FALSE(parsePositiveInt("0"));
}
