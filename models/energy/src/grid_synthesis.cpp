#include "citytwin/energy/grid_synthesis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <numeric>
#include <queue>
#include <utility>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/distribution_network.hpp"
#include "citytwin/energy/newton_raphson.hpp"
#include "citytwin/energy/standard_types.hpp"
#include "citytwin/energy/typology.hpp"
#include "citytwin/geo/spatial_index.hpp"
#include "design_peak_flow.hpp"
#include "medium_voltage_synthesis.hpp"
#include "service_area.hpp"
#include "street_graph.hpp"

namespace citytwin::energy {
namespace {

// pandapower's basic standard line types (pandapower/std_types.py; manufacturers' data for 0.6/1 kV NAYY
// cables laid in ground): resistance at 20 degC, reactance at 50 Hz, thermal current.
constexpr CableType kLowVoltageCables[] = {
    {"NAYY 4x50 SE", 0.642, 0.083, 142.0},
    {"NAYY 4x120 SE", 0.225, 0.080, 242.0},
    {"NAYY 4x150 SE", 0.208, 0.080, 270.0},
};
constexpr std::size_t kCableTypes = std::size(kLowVoltageCables);

constexpr double kLowVoltageKv = 0.4;
constexpr double kMediumVoltageKv = 20.0;  // assumed primary voltage of a synthesised MV/LV substation
constexpr double kPowerFactor = kDesignPowerFactor;
constexpr double kCooledUseAllowanceWPerM2 = 25.0;
// Standard MV/LV distribution transformer ratings (IEC 60076 preferred values); larger needs take several
// 630 kVA units.
constexpr double kTransformerMva[] = {0.25, 0.4, 0.63};
constexpr double kLargestUnitMva = 0.63;
// A mapped substation is used for a service area when it lies within this distance of the area's box.
constexpr double kOsmSiteReachM = 50.0;
constexpr int kMaxSizingRounds = 200;

double transformerRatingFor(double kva, double utilisation) {
  for (double mva : kTransformerMva)
    if (kva <= utilisation * mva * 1000.0) return mva;
  return std::ceil(kva / (utilisation * kLargestUnitMva * 1000.0)) * kLargestUnitMva;
}

double nextTransformerRating(double mva) {
  for (double standard : kTransformerMva)
    if (standard > mva + 1e-9) return standard;
  return mva + kLargestUnitMva;
}

// The standard MV/LV type of a rating at the assumed primary voltage (units of 0.63 MVA above it); the MV
// stage names it again for the voltage of the feeder that supplies it.
void nameTransformer(city::Substation& sub) {
  const auto choice = transformerRated(sub.ratedMva, kMediumVoltageKv, kLowVoltageKv);
  sub.transformer = choice ? transformerName(*choice->type, choice->units) : std::string();
}

// A cable choice: a type and a number of parallel runs.
struct CableChoice {
  std::size_t type = 0;
  int runs = 1;
};

CableChoice cableFor(double amps, double utilisation) {
  for (std::size_t t = 0; t < kCableTypes; ++t)
    if (amps <= utilisation * kLowVoltageCables[t].ratedAmps) return {t, 1};
  const double largest = kLowVoltageCables[kCableTypes - 1].ratedAmps;
  return {kCableTypes - 1, static_cast<int>(std::ceil(amps / (utilisation * largest)))};
}

CableChoice reinforced(CableChoice c) {
  if (c.type + 1 < kCableTypes) return {c.type + 1, c.runs};
  return {c.type, c.runs + 1};
}

void applyCable(city::Feeder& feeder, CableChoice c) {
  const CableType& type = kLowVoltageCables[c.type];
  feeder.resistanceOhmPerKm = type.resistanceOhmPerKm / c.runs;
  feeder.reactanceOhmPerKm = type.reactanceOhmPerKm / c.runs;
  feeder.ratedAmps = type.ratedAmps * c.runs;
  feeder.cable = (c.runs > 1 ? std::to_string(c.runs) + " x " : std::string()) + type.name;
}

double ampsAtLowVoltage(double kva) {
  return kva / (std::sqrt(3.0) * kLowVoltageKv);
}

// One synthesised substation and its feeder sections.
struct SiteGrid {
  std::uint32_t substation = 0;
  bool dedicated = false;
  bool splittable = false;             // more than one building: another substation can take half
  bool needsSplit = false;             // a cable at kMaxParallelRuns still violates a design limit
  std::vector<std::uint32_t> feeders;  // indices into city.grid.feeders
  std::vector<CableChoice> cables;     // parallel to feeders
};

// LV feeders of more parallel runs than this are not built: the service area gets a second substation.
constexpr int kMaxParallelRuns = 4;

// A dedicated substation's busbar connection to its building: rated as the transformer, negligible impedance.
void applyBusbar(city::Feeder& feeder, double transformerMva) {
  feeder.resistanceOhmPerKm = 0.001;
  feeder.reactanceOhmPerKm = 0.001;
  feeder.ratedAmps = transformerMva * 1000.0 / (std::sqrt(3.0) * kLowVoltageKv);
  feeder.cable = "LV busbar";
}

class GridBuilder {
 public:
  GridBuilder(city::CityModel& city, const StreetGraph& streets, const std::vector<geo::Vec2>& at,
              const std::vector<double>& kva, const GridSynthesisOptions& options)
      : city_(city), grid_(city.grid), streets_(streets), at_(at), kva_(kva), options_(options) {
    for (std::size_t s = 0; s < grid_.substations.size(); ++s) {
      const city::Substation& sub = grid_.substations[s];
      const bool hasFeeders =
          std::any_of(grid_.feeders.begin(), grid_.feeders.end(),
                      [&](const city::Feeder& f) { return f.substation == s && !f.servedBuildings.empty(); });
      if (sub.source == "osm" && sub.primaryKv <= kOsmDistributionMaxKv && !hasFeeders)
        osmSites_.push_back(s);
    }
    osmUsed_.assign(grid_.substations.size(), 0);
  }

  std::vector<SiteGrid> sites;
  std::size_t osmSubstationsUsed = 0, synthesised = 0, dedicated = 0, directCables = 0;

  void build(const ServiceArea& area) {
    SiteGrid& site = sites.emplace_back();
    site.dedicated = area.dedicated;
    site.splittable = !area.dedicated && area.buildings.size() > 1;
    if (area.dedicated) {
      const std::uint32_t b = area.buildings.front();
      site.substation = newSubstation(at_[b], transformerRatingFor(area.kva, options_.designUtilisation));
      ++dedicated;
      // A substation in the building: its feeder is the busbar, a zero-length line at the site.
      newFeeder(site, {at_[b], at_[b]}, city::kNoParentFeeder);
      grid_.feeders.back().servedBuildings.push_back(b);
      applyBusbar(grid_.feeders.back(), grid_.substations[site.substation].ratedMva);
      return;
    }
    site.substation = siteFor(area);
    route(area, site);
  }

  // Initial cable sizes from the downstream design load of each section (children follow their parents).
  void sizeCables() {
    for (SiteGrid& site : sites) {
      for (std::uint32_t f : site.feeders)
        std::sort(grid_.feeders[f].servedBuildings.begin(), grid_.feeders[f].servedBuildings.end());
      if (site.dedicated) continue;
      std::vector<double> downstream(site.feeders.size(), 0.0);
      for (std::size_t i = 0; i < site.feeders.size(); ++i)
        for (std::uint32_t b : grid_.feeders[site.feeders[i]].servedBuildings) downstream[i] += kva_[b];
      for (std::size_t i = site.feeders.size(); i-- > 0;) {
        const std::int32_t parent = grid_.feeders[site.feeders[i]].parentFeeder;
        if (parent >= 0) downstream[indexOf(site, parent)] += downstream[i];
      }
      for (std::size_t i = 0; i < site.feeders.size(); ++i) {
        site.cables[i] = cableFor(ampsAtLowVoltage(downstream[i]), options_.designUtilisation);
        if (site.splittable) site.cables[i].runs = std::min(site.cables[i].runs, kMaxParallelRuns);
        applyCable(grid_.feeders[site.feeders[i]], site.cables[i]);
      }
    }
  }

  // Reinforces until an AC power flow at the design peak keeps loadings and voltages within the design
  // limits, or a site's cables reach kMaxParallelRuns (it is then marked for a split). Returns the rounds
  // used.
  int reinforce(GridSynthesisReport& report) {
    std::vector<std::int32_t> siteOf(grid_.substations.size(), -1);
    for (std::size_t i = 0; i < sites.size(); ++i) siteOf[sites[i].substation] = static_cast<std::int32_t>(i);
    int round = 1;
    for (; round <= kMaxSizingRounds; ++round) {
      report.maxDesignLoading = 0;
      report.minDesignVoltagePu = 1;
      bool changed = false;
      for (const SubstationNetwork& net : buildDistributionNetworks(city_)) {
        if (net.citySubstation < 0 || siteOf[static_cast<std::size_t>(net.citySubstation)] < 0) continue;
        changed |=
            check(net, sites[static_cast<std::size_t>(siteOf[static_cast<std::size_t>(net.citySubstation)])],
                  report);
      }
      if (!changed) break;
    }
    return std::min(round, kMaxSizingRounds);
  }

 private:
  std::uint32_t newSubstation(geo::Vec2 position, double ratedMva) {
    city::Substation sub;
    sub.id = "synth:substation/" + std::to_string(++synthesised);
    sub.position = position;
    if (auto z = city_.terrain.sample(position)) sub.groundElevationM = *z;
    sub.ratedMva = ratedMva;
    nameTransformer(sub);
    sub.primaryKv = kMediumVoltageKv;
    sub.secondaryKv = kLowVoltageKv;
    sub.source = "synthesised";
    grid_.substations.push_back(std::move(sub));
    return static_cast<std::uint32_t>(grid_.substations.size() - 1);
  }

  std::int32_t newFeeder(SiteGrid& site, geo::Polyline route, std::int32_t parent) {
    city::Feeder feeder;
    feeder.id = grid_.substations[site.substation].id + "/feeder-" + std::to_string(site.feeders.size() + 1);
    feeder.substation = site.substation;
    feeder.route = std::move(route);
    feeder.voltageKv = kLowVoltageKv;
    feeder.parentFeeder = parent;
    feeder.source = "synthesised";
    grid_.feeders.push_back(std::move(feeder));
    site.feeders.push_back(static_cast<std::uint32_t>(grid_.feeders.size() - 1));
    site.cables.push_back({});
    return static_cast<std::int32_t>(grid_.feeders.size() - 1);
  }

  static std::size_t indexOf(const SiteGrid& site, std::int32_t feeder) {
    const auto it = std::find(site.feeders.begin(), site.feeders.end(), static_cast<std::uint32_t>(feeder));
    return static_cast<std::size_t>(it - site.feeders.begin());
  }

  // A mapped distribution substation near the area, nearest its load centre, else a new site by the street
  // node nearest the load centre.
  std::uint32_t siteFor(const ServiceArea& area) {
    const double rating = transformerRatingFor(area.kva, options_.designUtilisation);
    std::uint32_t chosen = kNone;
    double best = std::numeric_limits<double>::infinity();
    for (std::uint32_t s : osmSites_) {
      if (osmUsed_[s]) continue;
      const geo::Vec2 p = grid_.substations[s].position;
      if (area.box.squaredDistanceTo(p) > kOsmSiteReachM * kOsmSiteReachM) continue;
      const double d = geo::distance(p, area.loadCentre);
      if (d < best) best = d, chosen = s;
    }
    if (chosen != kNone) {
      osmUsed_[chosen] = 1;
      city::Substation& sub = grid_.substations[chosen];
      if (sub.ratedMva <= 0) sub.ratedMva = rating;  // OSM rarely tags ratings
      nameTransformer(sub);
      ++osmSubstationsUsed;
      return chosen;
    }
    const geo::Vec2 position = streets_.siteBeside(area.loadCentre);
    return newSubstation(position, rating);
  }

  // Feeder sections along the shortest street paths from the site to the area's buildings.
  void route(const ServiceArea& area, SiteGrid& site) {
    const geo::Vec2 sitePosition = grid_.substations[site.substation].position;
    std::vector<geo::Vec2> positions;
    for (std::uint32_t b : area.buildings) positions.push_back(at_[b]);
    const StreetTree tree = streetTree(streets_, sitePosition, positions);
    std::vector<std::int32_t> feederOf;
    for (const StreetTreeSection& section : tree.sections) {
      const std::int32_t f = newFeeder(
          site, section.route,
          section.parent < 0 ? city::kNoParentFeeder : feederOf[static_cast<std::size_t>(section.parent)]);
      feederOf.push_back(f);
      for (std::uint32_t i : section.items)
        grid_.feeders[static_cast<std::size_t>(f)].servedBuildings.push_back(area.buildings[i]);
    }
    if (!tree.atRoot.empty()) {
      const std::int32_t f =
          feederOf.empty()
              ? newFeeder(site, {sitePosition, streets_.position(tree.rootNode)}, city::kNoParentFeeder)
              : feederOf.front();
      for (std::uint32_t i : tree.atRoot)
        grid_.feeders[static_cast<std::size_t>(f)].servedBuildings.push_back(area.buildings[i]);
    }
    for (std::uint32_t i : tree.unreachable) {
      const std::uint32_t b = area.buildings[i];
      newFeeder(site, {sitePosition, at_[b]}, city::kNoParentFeeder);
      grid_.feeders.back().servedBuildings.push_back(b);
      ++directCables;
    }
  }

  // One power flow at the design peak for one site; reinforces what exceeds the limits. True when it changed.
  bool check(const SubstationNetwork& net, SiteGrid& site, GridSynthesisReport& report) {
    const double utilisation = options_.designUtilisation;
    const DesignPeakFlow peak = solveDesignPeak(net, kva_);
    const std::vector<Complex>& v = peak.voltage;
    city::Substation& sub = grid_.substations[site.substation];
    bool changed = false;
    const auto upsizeTransformer = [&] {
      sub.ratedMva = nextTransformerRating(sub.ratedMva);
      nameTransformer(sub);
      if (site.dedicated) applyBusbar(grid_.feeders[site.feeders.front()], sub.ratedMva);
      changed = true;
    };
    std::vector<char> done(site.feeders.size(), 0);
    const auto strengthen = [&](std::int32_t feeder) {
      const std::size_t i = indexOf(site, feeder);
      if (done[i] || site.dedicated) return;
      done[i] = 1;
      const CableChoice next = reinforced(site.cables[i]);
      if (site.splittable && next.runs > kMaxParallelRuns) {
        site.needsSplit = true;
        return;
      }
      site.cables[i] = next;
      applyCable(grid_.feeders[site.feeders[i]], next);
      changed = true;
    };
    if (!peak.converged) {
      // Far beyond any design limit: a larger transformer and every cable one step up.
      report.maxDesignLoading = std::numeric_limits<double>::infinity();
      upsizeTransformer();
      for (std::uint32_t f : site.feeders) strengthen(static_cast<std::int32_t>(f));
      return changed;
    }
    std::vector<std::int32_t> branchTo(net.network.busCount(), -1);
    bool transformerOver = false;
    for (std::size_t br = 0; br < net.network.branches.size(); ++br) {
      const AcBranch& branch = net.network.branches[br];
      branchTo[static_cast<std::size_t>(branch.to)] = static_cast<std::int32_t>(br);
      const double loading = std::abs(branchSeriesCurrent(branch, v)) / net.branchRatingPu[br];
      report.maxDesignLoading = std::max(report.maxDesignLoading, loading);
      if (loading <= utilisation + 1e-9) continue;
      const std::int32_t feeder = net.feederOfBranch[br];
      if (feeder < 0 || site.dedicated)
        transformerOver = true;
      else
        strengthen(feeder);
    }
    if (transformerOver) upsizeTransformer();
    std::size_t worst = 1;
    for (std::size_t b = 1; b < v.size(); ++b) {
      report.minDesignVoltagePu = std::min(report.minDesignVoltagePu, std::abs(v[b]));
      if (std::abs(v[b]) < std::abs(v[worst])) worst = b;
    }
    if (std::abs(v[worst]) >= options_.minDesignVoltagePu) return changed;
    // The section with the largest voltage drop on the path from the worst bus back to the busbar.
    std::map<std::int32_t, double> dropOfFeeder;
    for (std::int32_t br = branchTo[worst]; br >= 0;) {
      const AcBranch& branch = net.network.branches[static_cast<std::size_t>(br)];
      const std::int32_t feeder = net.feederOfBranch[static_cast<std::size_t>(br)];
      if (feeder >= 0)
        dropOfFeeder[feeder] +=
            std::abs(v[static_cast<std::size_t>(branch.from)] - v[static_cast<std::size_t>(branch.to)]);
      br = branchTo[static_cast<std::size_t>(branch.from)];
    }
    std::int32_t most = -1;
    double largest = 0;
    for (const auto& [feeder, drop] : dropOfFeeder)
      if (drop > largest) largest = drop, most = feeder;
    if (most >= 0 && !site.dedicated)
      strengthen(most);
    else
      upsizeTransformer();
    return changed;
  }

  city::CityModel& city_;
  city::GridAssets& grid_;
  const StreetGraph& streets_;
  const std::vector<geo::Vec2>& at_;
  const std::vector<double>& kva_;
  const GridSynthesisOptions& options_;
  std::vector<std::uint32_t> osmSites_;
  std::vector<char> osmUsed_;
};

// Rounds of splitting service areas whose cables would need more than kMaxParallelRuns.
constexpr int kMaxSplitRounds = 12;

}  // namespace

const CableType* lowVoltageCableTypes(std::size_t& count) {
  count = kCableTypes;
  return kLowVoltageCables;
}

double designPeakKw(const city::Building& building) {
  const UseProfile& use = useProfile(building.use);
  const double floorArea = building.footprintAreaM2() * effectiveLevels(building);
  return floorArea * (use.electricityWPerM2 + (use.cooled ? kCooledUseAllowanceWPerM2 : 0.0)) * 1e-3;
}

GridSynthesisReport synthesiseGrid(city::CityModel& city, const GridSynthesisOptions& options) {
  GridSynthesisReport report;
  std::vector<char> served(city.buildings.size(), 0);
  for (const city::Feeder& feeder : city.grid.feeders)
    for (std::uint32_t b : feeder.servedBuildings)
      if (b < served.size()) served[b] = 1;
  std::vector<geo::Vec2> at(city.buildings.size());
  std::vector<double> kva(city.buildings.size(), 0.0);
  std::vector<std::uint32_t> shared;
  std::vector<ServiceArea> areas;
  // Buildings beyond one transformer's utilised capacity get a substation of their own in the building.
  const double areaKva = options.designUtilisation * kLargestUnitMva * 1000.0;
  for (std::uint32_t b = 0; b < city.buildings.size(); ++b) {
    if (served[b] || city.buildings[b].footprint.empty()) continue;
    at[b] = geo::pointOnSurface(city.buildings[b].footprint);
    const double kw = designPeakKw(city.buildings[b]);
    kva[b] = kw / kPowerFactor;
    report.designPeakMw += kw * 1e-3;
    ++report.buildingsConsidered;
    if (kva[b] > areaKva) {
      areas.push_back(describeArea({b}, at, kva));
      areas.back().dedicated = true;
    } else {
      shared.push_back(b);
    }
  }
  if (report.buildingsConsidered == 0) return report;
  if (!shared.empty())
    bisect(describeArea(shared, at, kva), at, kva, areaKva, options.maxServiceAreaSpanM, areas);

  const StreetGraph streets(city.roads);
  const city::GridAssets original = city.grid;
  int rounds = 0;
  for (int attempt = 1;; ++attempt) {
    city.grid = original;
    GridBuilder builder(city, streets, at, kva, options);
    for (const ServiceArea& area : areas) builder.build(area);
    builder.sizeCables();
    rounds += builder.reinforce(report);
    const bool split = std::any_of(builder.sites.begin(), builder.sites.end(),
                                   [](const SiteGrid& site) { return site.needsSplit; });
    if (!split || attempt == kMaxSplitRounds) {
      report.osmSubstationsUsed = builder.osmSubstationsUsed;
      report.substationsSynthesised = builder.synthesised;
      report.dedicatedSubstations = builder.dedicated;
      report.directCables = builder.directCables;
      if (options.mediumVoltage) {
        std::vector<std::uint32_t> secondaries;
        std::vector<double> secondaryKva;
        for (const SiteGrid& site : builder.sites) {
          secondaries.push_back(site.substation);
          double siteKva = 0;
          for (std::uint32_t f : site.feeders)
            for (std::uint32_t b : city.grid.feeders[f].servedBuildings) siteKva += kva[b];
          secondaryKva.push_back(siteKva);
        }
        synthesiseMediumVoltage(city, streets, secondaries, secondaryKva, kva, options, report);
      }
      for (const SiteGrid& site : builder.sites) {
        report.feeders += site.feeders.size();
        for (std::uint32_t f : site.feeders) report.cableKm += geo::length(city.grid.feeders[f].route) * 1e-3;
      }
      break;
    }
    std::vector<ServiceArea> next;
    for (std::size_t i = 0; i < areas.size(); ++i) {
      if (!builder.sites[i].needsSplit) {
        next.push_back(std::move(areas[i]));
        continue;
      }
      auto [first, second] = splitInTwo(std::move(areas[i]), at, kva);
      next.push_back(std::move(first));
      next.push_back(std::move(second));
    }
    areas = std::move(next);
  }
  report.sizingRounds = rounds;
  return report;
}

}  // namespace citytwin::energy
