#include "medium_voltage_synthesis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/newton_raphson.hpp"
#include "citytwin/energy/standard_types.hpp"
#include "design_peak_flow.hpp"
#include "service_area.hpp"

namespace citytwin::energy {
namespace {

// Nominal voltage of a synthesised primary's upstream side: 110 kV, the sub-transmission level of
// pandapower's HV/MV standard types.
constexpr double kHighVoltageKv = 110.0;
constexpr double kLowVoltageKv = 0.4;
// On-load tap changer of pandapower's 110/20 and 110/10 kV types: +-9 steps of 1.5 %.
constexpr double kTapStepPercent = 1.5;
constexpr int kMaxTapSteps = 9;
constexpr int kMaxRounds = 200;

struct Primary {
  std::uint32_t substation = 0;
  double mvKv = 20.0;
  std::vector<std::uint32_t> members;  // indices into the secondaries
  std::vector<std::uint32_t> feeders;  // MV feeder sections, parents first
  std::vector<std::size_t> cableType;  // parallel to feeders: index into the MV cable types
  std::vector<int> cableRuns;          // parallel to feeders
};

// The MV cable types of a voltage: the 6/10 kV ones up to 10 kV, else the 12/20 kV ones.
std::vector<std::size_t> cableTypesFor(double kv) {
  std::size_t count = 0;
  const MediumVoltageCableType* types = mediumVoltageCableTypes(count);
  const double wanted = kv <= 10.0 + 1e-9 ? 10.0 : 20.0;
  std::vector<std::size_t> out;
  for (std::size_t t = 0; t < count; ++t)
    if (types[t].kv == wanted) out.push_back(t);
  return out;
}

void applyCable(city::Feeder& feeder, std::size_t type, int runs) {
  std::size_t count = 0;
  const MediumVoltageCableType& t = mediumVoltageCableTypes(count)[type];
  feeder.resistanceOhmPerKm = t.resistanceOhmPerKm / runs;
  feeder.reactanceOhmPerKm = t.reactanceOhmPerKm / runs;
  feeder.ratedAmps = t.ratedAmps * runs;
  feeder.cable = (runs > 1 ? std::to_string(runs) + " x " : std::string()) + t.name;
}

// The transformer of a substation between two voltages for a rating already chosen: the standard type (or
// units of one) of exactly that rating; none otherwise.
void nameTransformer(city::Substation& sub, double highKv, double lowKv) {
  const auto choice = transformerRated(sub.ratedMva, highKv, lowKv);
  sub.transformer = choice ? transformerName(*choice->type, choice->units) : std::string();
}

void setTransformer(city::Substation& sub, TransformerChoice choice) {
  sub.ratedMva = choice.type->ratedMva * choice.units;
  sub.transformer = transformerName(*choice.type, choice.units);
}

}  // namespace

void synthesiseMediumVoltage(city::CityModel& city, const StreetGraph& streets,
                             const std::vector<std::uint32_t>& secondaries,
                             const std::vector<double>& secondaryKva, const std::vector<double>& buildingKva,
                             const GridSynthesisOptions& options, GridSynthesisReport& report) {
  city::GridAssets& grid = city.grid;
  const double utilisation = options.designUtilisation;
  std::vector<geo::Vec2> at;
  for (std::uint32_t s : secondaries) at.push_back(grid.substations[s].position);

  // Mapped primaries: above the distribution band, with an MV side (or none tagged).
  std::vector<Primary> primaries;
  for (std::uint32_t s = 0; s < grid.substations.size(); ++s) {
    const city::Substation& sub = grid.substations[s];
    const bool mvSide =
        sub.secondaryKv == 0 || (sub.secondaryKv > 1.0 && sub.secondaryKv <= kOsmDistributionMaxKv);
    if (sub.source != "osm" || sub.primaryKv <= kOsmDistributionMaxKv || !mvSide || sub.supplyFeeder >= 0)
      continue;
    Primary& p = primaries.emplace_back();
    p.substation = s;
    p.mvKv = sub.secondaryKv > 0 ? sub.secondaryKv : options.mediumVoltageKv;
  }
  std::vector<std::uint32_t> rest;
  for (std::uint32_t i = 0; i < secondaries.size(); ++i) {
    std::size_t best = primaries.size();
    double bestDistance = options.osmPrimaryReachM;
    for (std::size_t p = 0; p < primaries.size(); ++p) {
      const double d = geo::distance(grid.substations[primaries[p].substation].position, at[i]);
      if (d <= bestDistance && (best == primaries.size() || d < bestDistance)) best = p, bestDistance = d;
    }
    if (best < primaries.size())
      primaries[best].members.push_back(i);
    else
      rest.push_back(i);
  }
  primaries.erase(
      std::remove_if(primaries.begin(), primaries.end(), [](const Primary& p) { return p.members.empty(); }),
      primaries.end());
  report.osmPrimariesUsed = primaries.size();
  for (Primary& p : primaries) {
    city::Substation& sub = grid.substations[p.substation];
    double kva = 0;
    for (std::uint32_t i : p.members) kva += secondaryKva[i];
    const auto choice = transformerFor(kva * 1e-3, kHighVoltageKv, p.mvKv, utilisation);
    if (sub.ratedMva <= 0 && choice) setTransformer(sub, *choice);  // OSM rarely tags ratings
    if (sub.ratedMva <= 0) sub.ratedMva = kva * 1e-3 / utilisation;
    if (sub.transformer.empty()) nameTransformer(sub, sub.primaryKv, p.mvKv);
    if (sub.secondaryKv <= 0) sub.secondaryKv = p.mvKv;
  }

  // Synthesised primaries: groups within one primary transformer's utilised rating and the span.
  std::vector<ServiceArea> areas;
  if (!rest.empty())
    bisect(describeArea(rest, at, secondaryKva), at, secondaryKva, utilisation * options.primaryUnitMva * 1e3,
           options.maxPrimarySpanM, areas);
  for (const ServiceArea& area : areas) {
    city::Substation sub;
    sub.id = "synth:primary/" + std::to_string(++report.primariesSynthesised);
    sub.position = streets.siteBeside(area.loadCentre);
    if (auto z = city.terrain.sample(sub.position)) sub.groundElevationM = *z;
    sub.primaryKv = kHighVoltageKv;
    sub.secondaryKv = options.mediumVoltageKv;
    sub.source = "synthesised";
    if (const auto choice = transformerFor(area.kva * 1e-3, kHighVoltageKv, sub.secondaryKv, utilisation))
      setTransformer(sub, *choice);
    else
      sub.ratedMva = area.kva * 1e-3 / utilisation;
    grid.substations.push_back(std::move(sub));
    Primary& p = primaries.emplace_back();
    p.substation = static_cast<std::uint32_t>(grid.substations.size() - 1);
    p.mvKv = options.mediumVoltageKv;
    p.members = area.buildings;
  }

  // MV feeders along the shortest street paths from each primary to its secondaries.
  for (Primary& p : primaries) {
    const geo::Vec2 origin = grid.substations[p.substation].position;
    const std::string& primaryId = grid.substations[p.substation].id;
    const auto newFeeder = [&](geo::Polyline route, std::int32_t parent) {
      city::Feeder feeder;
      feeder.id = primaryId + "/mv-feeder-" + std::to_string(p.feeders.size() + 1);
      feeder.substation = p.substation;
      feeder.route = std::move(route);
      feeder.voltageKv = p.mvKv;
      feeder.parentFeeder = parent;
      feeder.source = "synthesised";
      grid.feeders.push_back(std::move(feeder));
      p.feeders.push_back(static_cast<std::uint32_t>(grid.feeders.size() - 1));
      return static_cast<std::int32_t>(grid.feeders.size() - 1);
    };
    const auto supply = [&](std::uint32_t member, std::int32_t feeder) {
      city::Substation& secondary = grid.substations[secondaries[member]];
      secondary.supplyFeeder = feeder;
      if (secondary.primaryKv <= 0 || secondary.source == "synthesised") secondary.primaryKv = p.mvKv;
      if (secondary.secondaryKv <= 0) secondary.secondaryKv = kLowVoltageKv;
      nameTransformer(secondary, p.mvKv, kLowVoltageKv);
    };
    std::vector<geo::Vec2> positions;
    for (std::uint32_t i : p.members) positions.push_back(at[i]);
    const StreetTree tree = streetTree(streets, origin, positions);
    std::vector<std::int32_t> feederOf;
    for (const StreetTreeSection& section : tree.sections) {
      feederOf.push_back(newFeeder(section.route, section.parent < 0
                                                      ? city::kNoParentFeeder
                                                      : feederOf[static_cast<std::size_t>(section.parent)]));
      for (std::uint32_t k : section.items) supply(p.members[k], feederOf.back());
    }
    if (!tree.atRoot.empty()) {
      const std::int32_t f = feederOf.empty()
                                 ? newFeeder({origin, streets.position(tree.rootNode)}, city::kNoParentFeeder)
                                 : feederOf.front();
      for (std::uint32_t k : tree.atRoot) supply(p.members[k], f);
    }
    for (std::uint32_t k : tree.unreachable) {
      supply(p.members[k], newFeeder({origin, at[p.members[k]]}, city::kNoParentFeeder));
      ++report.directMediumVoltageCables;
    }
    // Initial sizes from the downstream design load (children come after their parents).
    std::vector<double> downstream(p.feeders.size(), 0.0);
    std::vector<std::int32_t> localOf(grid.feeders.size() - p.feeders.front(), -1);
    for (std::size_t i = 0; i < p.feeders.size(); ++i)
      localOf[p.feeders[i] - p.feeders.front()] = static_cast<std::int32_t>(i);
    for (std::uint32_t i : p.members)
      downstream[static_cast<std::size_t>(
          localOf[static_cast<std::size_t>(grid.substations[secondaries[i]].supplyFeeder) -
                  p.feeders.front()])] += secondaryKva[i];
    for (std::size_t i = p.feeders.size(); i-- > 0;) {
      const std::int32_t parent = grid.feeders[p.feeders[i]].parentFeeder;
      if (parent >= 0)
        downstream[static_cast<std::size_t>(localOf[static_cast<std::size_t>(parent) - p.feeders.front()])] +=
            downstream[i];
    }
    const std::vector<std::size_t> types = cableTypesFor(p.mvKv);
    std::size_t count = 0;
    const MediumVoltageCableType* all = mediumVoltageCableTypes(count);
    for (std::size_t i = 0; i < p.feeders.size(); ++i) {
      const double amps = downstream[i] / (std::sqrt(3.0) * p.mvKv);
      std::size_t type = types.back();
      int runs = 0;
      for (std::size_t t : types)
        if (amps <= utilisation * all[t].ratedAmps) {
          type = t, runs = 1;
          break;
        }
      if (runs == 0) runs = static_cast<int>(std::ceil(amps / (utilisation * all[type].ratedAmps)));
      p.cableType.push_back(type);
      p.cableRuns.push_back(runs);
      applyCable(grid.feeders[p.feeders[i]], type, runs);
      report.mediumVoltageKm += geo::length(grid.feeders[p.feeders[i]].route) * 1e-3;
    }
    report.mediumVoltageFeeders += p.feeders.size();
  }

  // Reinforcement: a power flow of each primary's whole network at the design peak.
  std::vector<std::int32_t> primaryOf(grid.substations.size(), -1);
  for (std::size_t k = 0; k < primaries.size(); ++k)
    primaryOf[primaries[k].substation] = static_cast<std::int32_t>(k);
  std::vector<std::int32_t> localFeeder(grid.feeders.size(), -1);
  for (const Primary& p : primaries)
    for (std::size_t i = 0; i < p.feeders.size(); ++i)
      localFeeder[p.feeders[i]] = static_cast<std::int32_t>(i);
  int round = 1;
  for (; round <= kMaxRounds; ++round) {
    bool changed = false;
    report.maxMediumVoltageLoading = 0;
    report.minNetworkVoltagePu = 1;
    for (const SubstationNetwork& net : buildDistributionNetworks(city)) {
      if (net.citySubstation < 0 || primaryOf[static_cast<std::size_t>(net.citySubstation)] < 0) continue;
      Primary& p =
          primaries[static_cast<std::size_t>(primaryOf[static_cast<std::size_t>(net.citySubstation)])];
      city::Substation& primary = grid.substations[p.substation];
      const DesignPeakFlow peak = solveDesignPeak(net, buildingKva);
      const std::vector<Complex>& v = peak.voltage;
      std::vector<char> strengthen(p.feeders.size(), 0);
      bool transformerOver = !peak.converged;
      if (!peak.converged) {
        report.maxMediumVoltageLoading = std::numeric_limits<double>::infinity();
        std::fill(strengthen.begin(), strengthen.end(), 1);
      } else {
        for (std::size_t br = 0; br < net.network.branches.size(); ++br) {
          const std::int32_t f = net.feederOfBranch[br];
          const bool mv = f >= 0 && localFeeder[static_cast<std::size_t>(f)] >= 0 &&
                          grid.feeders[static_cast<std::size_t>(f)].substation == p.substation;
          const bool ownTransformer = net.substationOfBranch[br] == static_cast<std::int32_t>(p.substation);
          if (!mv && !ownTransformer) continue;
          const double loading =
              std::abs(branchSeriesCurrent(net.network.branches[br], v)) / net.branchRatingPu[br];
          report.maxMediumVoltageLoading = std::max(report.maxMediumVoltageLoading, loading);
          if (loading <= utilisation + 1e-9) continue;
          if (mv)
            strengthen[static_cast<std::size_t>(localFeeder[static_cast<std::size_t>(f)])] = 1;
          else
            transformerOver = true;
        }
        for (std::size_t b = 1; b < v.size(); ++b)
          report.minNetworkVoltagePu = std::min(report.minNetworkVoltagePu, std::abs(v[b]));
        // The on-load tap changer holds the MV busbar at 1.0 p.u. or above at the design peak.
        if (std::abs(v[1]) < 1.0 - 1e-9 && primary.tapPercent < kMaxTapSteps * kTapStepPercent - 1e-9) {
          primary.tapPercent += kTapStepPercent;
          changed = true;
        }
      }
      if (transformerOver) {
        if (const auto choice = findTransformer(primary.transformer))
          setTransformer(primary, largerTransformer(*choice));
        else
          primary.ratedMva *= 1.25;
        changed = true;
      }
      const std::vector<std::size_t> types = cableTypesFor(p.mvKv);
      for (std::size_t i = 0; i < p.feeders.size(); ++i) {
        if (!strengthen[i]) continue;
        const auto current = std::find(types.begin(), types.end(), p.cableType[i]);
        if (current + 1 != types.end())
          p.cableType[i] = *(current + 1);
        else
          ++p.cableRuns[i];
        applyCable(grid.feeders[p.feeders[i]], p.cableType[i], p.cableRuns[i]);
        changed = true;
      }
    }
    if (!changed) break;
  }
  report.mediumVoltageRounds = std::min(round, kMaxRounds);
}

}  // namespace citytwin::energy
