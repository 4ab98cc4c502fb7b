#include "street_lattice.hpp"

#include <cmath>
#include <cstdlib>

#include "seeded_random.hpp"

namespace citytwin::generate::detail {
namespace {

// Street lines from `start` to `end` with spacings of 100-150 m, stretched so the last lands on `end`.
std::vector<double> streetLines(double start, double end, RandomStream draw) {
  std::vector<double> spacings;
  double total = 0.0;
  while (total < end - start) {
    spacings.push_back(draw.uniform(100.0, 150.0));
    total += spacings.back();
  }
  // Dropping the last spacing leaves the lines closer to even when it overshoots by more than half.
  if (spacings.size() > 1 && total - (end - start) > spacings.back() / 2) {
    total -= spacings.back();
    spacings.pop_back();
  }
  const double scale = (end - start) / total;
  std::vector<double> lines{start};
  double position = start;
  for (std::size_t i = 0; i < spacings.size(); ++i) {
    position = i + 1 == spacings.size() ? end : position + spacings[i] * scale;
    lines.push_back(position);
  }
  return lines;
}

std::size_t nearestLine(const std::vector<double>& lines, double value) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (std::abs(lines[i] - value) < std::abs(lines[best] - value)) best = i;
  }
  return best;
}

// Arterials every sixth line (~750 m) out from the main street, primaries every third arterial, and a
// secondary ring road along the town's edge.
std::vector<StreetClass> arterialClasses(std::size_t count, std::size_t main) {
  std::vector<StreetClass> classes(count, StreetClass::Residential);
  for (std::size_t i = 0; i < count; ++i) {
    const auto step = static_cast<std::size_t>(std::llabs(static_cast<long long>(i) - static_cast<long long>(main)));
    if (step % 18 == 0) {
      classes[i] = StreetClass::Primary;
    } else if (step % 6 == 0 || i == 0 || i + 1 == count) {
      classes[i] = StreetClass::Secondary;
    }
  }
  return classes;
}

}  // namespace

std::string_view highwayClassName(StreetClass street) {
  switch (street) {
    case StreetClass::Primary: return "primary";
    case StreetClass::Secondary: return "secondary";
    case StreetClass::Residential: break;
  }
  return "residential";
}

double streetSetbackM(StreetClass street) {
  switch (street) {
    case StreetClass::Primary: return 12.0;
    case StreetClass::Secondary: return 10.0;
    case StreetClass::Residential: break;
  }
  return 8.0;
}

StreetLattice layOutStreets(const TownPlan& plan) {
  const std::uint64_t seed = plan.options.seed;
  StreetLattice lattice;
  lattice.columnX = streetLines(plan.town.minX, plan.town.maxX, RandomStream(seed, Purpose::Columns));
  lattice.rowY = streetLines(plan.town.minY, plan.town.maxY, RandomStream(seed, Purpose::Rows));
  lattice.columnClass = arterialClasses(lattice.columnX.size(), nearestLine(lattice.columnX, plan.centre.x));
  lattice.rowClass = arterialClasses(lattice.rowY.size(), nearestLine(lattice.rowY, plan.centre.y));

  lattice.columnBridges.resize(lattice.columnX.size());
  for (std::size_t i = 0; i < lattice.columnX.size(); ++i) {
    // Every arterial bridges the river; about one residential avenue in six does too.
    lattice.columnBridges[i] = lattice.columnClass[i] != StreetClass::Residential ||
                               unitValue(seed, Purpose::Streets, 1, i) < 1.0 / 6.0;
  }
  // About one residential street in six is one-way; every town gets at least one (the eligible street
  // with the lowest draw) so one-way handling is always exercised.
  lattice.rowOneWay.assign(lattice.rowY.size(), false);
  std::size_t lowest = lattice.rowY.size();
  for (std::size_t j = 1; j + 1 < lattice.rowY.size(); ++j) {
    if (lattice.rowClass[j] != StreetClass::Residential) continue;
    const double draw = unitValue(seed, Purpose::Streets, 2, j);
    lattice.rowOneWay[j] = draw < 1.0 / 6.0;
    if (lowest == lattice.rowY.size() || draw < unitValue(seed, Purpose::Streets, 2, lowest)) lowest = j;
  }
  if (lowest < lattice.rowY.size()) lattice.rowOneWay[lowest] = true;
  return lattice;
}

}  // namespace citytwin::generate::detail
