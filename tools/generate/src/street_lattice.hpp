#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "town_plan.hpp"

namespace citytwin::generate::detail {

enum class StreetClass : std::uint8_t { Residential, Secondary, Primary };
std::string_view highwayClassName(StreetClass street);
// Distance from a street's centreline to the front of the parcels beside it (carriageway + pavement).
double streetSetbackM(StreetClass street);

// The street grid: north-south streets ("avenues") at columnX, east-west streets at rowY. Blocks are
// the cells between neighbouring lines.
struct StreetLattice {
  std::vector<double> columnX;  // ascending, first and last on the town's edges
  std::vector<double> rowY;
  std::vector<StreetClass> columnClass;
  std::vector<StreetClass> rowClass;
  std::vector<bool> columnBridges;  // the avenue crosses the river on a bridge
  std::vector<bool> rowOneWay;      // the street is one-way (eastbound on even rows, westbound on odd)

  std::size_t blockColumns() const { return columnX.size() - 1; }
  std::size_t blockRows() const { return rowY.size() - 1; }
  std::size_t blockCount() const { return blockColumns() * blockRows(); }
};

StreetLattice layOutStreets(const TownPlan& plan);

}  // namespace citytwin::generate::detail
