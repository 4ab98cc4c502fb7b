#include "building_placer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "seeded_random.hpp"
#include "terrain_builder.hpp"

namespace citytwin::generate::detail {
namespace {

using city::BuildingUse;

struct UseShare {
  BuildingUse use;
  double share;
};

// How a zone builds: parcel sizes, how far buildings stand back, storeys, age and what they are used for.
struct ZoneStyle {
  double frontageMinM, frontageMaxM;
  double depthMinM, depthMaxM;
  double frontSetbackMinM, frontSetbackMaxM;
  double sideGapM;
  int levelsMin, levelsMax;
  int yearMin, yearMax;
  double lShapeChance;
  double parkChance;
  std::array<UseShare, 7> uses;
};

const ZoneStyle& styleOf(Zone zone) {
  static const std::array<ZoneStyle, 5> styles{{
      // Historic centre: narrow terraced town houses on the pavement, shops below, churches and halls.
      {9, 15, 12, 18, 0.0, 0.5, 0.5, 3, 5, 1450, 1900, 0.15, 0.02,
       {{{BuildingUse::Residential, 0.45}, {BuildingUse::Retail, 0.22}, {BuildingUse::Commercial, 0.10},
         {BuildingUse::Office, 0.10}, {BuildingUse::Public, 0.06}, {BuildingUse::Religious, 0.04},
         {BuildingUse::Health, 0.03}}}},
      // Centre: apartment and office blocks of the 19th and 20th centuries.
      {12, 20, 14, 22, 0.0, 2.0, 0.75, 3, 7, 1870, 2015, 0.2, 0.03,
       {{{BuildingUse::Residential, 0.55}, {BuildingUse::Office, 0.14}, {BuildingUse::Retail, 0.12},
         {BuildingUse::Commercial, 0.10}, {BuildingUse::Public, 0.04}, {BuildingUse::Health, 0.03},
         {BuildingUse::Religious, 0.02}}}},
      // Inner suburbs: small apartment houses and semi-detached homes.
      {11, 16, 10, 15, 3.0, 5.0, 1.5, 2, 4, 1900, 2015, 0.25, 0.04,
       {{{BuildingUse::Residential, 0.88}, {BuildingUse::Retail, 0.04}, {BuildingUse::Commercial, 0.03},
         {BuildingUse::Office, 0.02}, {BuildingUse::Public, 0.015}, {BuildingUse::Health, 0.01},
         {BuildingUse::Religious, 0.005}}}},
      // Outer suburbs: detached houses with front gardens.
      {13, 19, 9, 13, 4.0, 7.0, 2.0, 1, 3, 1950, 2024, 0.3, 0.05,
       {{{BuildingUse::Residential, 0.93}, {BuildingUse::Retail, 0.02}, {BuildingUse::Commercial, 0.02},
         {BuildingUse::Office, 0.01}, {BuildingUse::Public, 0.01}, {BuildingUse::Health, 0.005},
         {BuildingUse::Religious, 0.005}}}},
      // Industrial estate: sheds and warehouses on large plots.
      {35, 60, 25, 45, 5.0, 10.0, 4.0, 1, 2, 1955, 2020, 0.35, 0.02,
       {{{BuildingUse::Industrial, 0.80}, {BuildingUse::Commercial, 0.12}, {BuildingUse::Office, 0.05},
         {BuildingUse::Retail, 0.03}, {BuildingUse::Other, 0.0}, {BuildingUse::Other, 0.0},
         {BuildingUse::Other, 0.0}}}},
  }};
  return styles[static_cast<std::size_t>(zone)];
}

BuildingUse drawUse(const ZoneStyle& style, RandomStream& draw) {
  double u = draw.unit();
  for (const auto& share : style.uses) {
    if (u < share.share) return share.use;
    u -= share.share;
  }
  return style.uses[0].use;
}

// Which street a parcel faces; the footprint's local frame runs along the frontage (u) and inwards (v).
enum class Front { South, North, West, East };

struct Parcel {
  geo::BBox box;
  Front front;
};

geo::Vec2 toWorld(const Parcel& parcel, double u, double v) {
  const geo::BBox& b = parcel.box;
  switch (parcel.front) {
    case Front::South: return {b.minX + u, b.minY + v};
    case Front::North: return {b.minX + u, b.maxY - v};
    case Front::West: return {b.minX + v, b.minY + u};
    case Front::East: break;
  }
  return {b.maxX - v, b.minY + u};
}

geo::Ring counterClockwise(geo::Ring ring) {
  if (geo::signedRingArea(ring) < 0) std::reverse(ring.begin(), ring.end());
  return ring;
}

// A rectangle, or with `notch` an L-shape missing the rear corner on the side `notchRight` names.
geo::Ring footprintRing(const Parcel& parcel, double u0, double v0, double width, double depth, bool notch,
                        double notchWidth, double notchDepth, bool notchRight) {
  std::vector<std::pair<double, double>> local;
  if (!notch) {
    local = {{u0, v0}, {u0 + width, v0}, {u0 + width, v0 + depth}, {u0, v0 + depth}};
  } else if (notchRight) {
    local = {{u0, v0},
             {u0 + width, v0},
             {u0 + width, v0 + depth - notchDepth},
             {u0 + width - notchWidth, v0 + depth - notchDepth},
             {u0 + width - notchWidth, v0 + depth},
             {u0, v0 + depth}};
  } else {
    local = {{u0, v0},
             {u0 + width, v0},
             {u0 + width, v0 + depth},
             {u0 + notchWidth, v0 + depth},
             {u0 + notchWidth, v0 + depth - notchDepth},
             {u0, v0 + depth - notchDepth}};
  }
  geo::Ring ring;
  for (const auto& [u, v] : local) ring.push_back(toWorld(parcel, u, v));
  return counterClockwise(std::move(ring));
}

// Frontage widths along a side of `length`: drawn from the zone's range, the remainder shared out.
std::vector<double> frontages(double length, const ZoneStyle& style, RandomStream& draw) {
  std::vector<double> widths;
  double used = 0.0;
  while (true) {
    const double width = draw.uniform(style.frontageMinM, style.frontageMaxM);
    if (used + width > length) break;
    widths.push_back(width);
    used += width;
  }
  if (widths.empty()) {
    if (length >= 0.6 * style.frontageMinM) widths.push_back(length);
    return widths;
  }
  const double stretch = length / used;
  for (double& width : widths) width *= stretch;
  return widths;
}

struct BuildingShape {
  int levels;
  double heightM;
};

BuildingShape drawShape(BuildingUse use, Zone zone, const ZoneStyle& style, RandomStream& draw) {
  if (use == BuildingUse::Industrial) {
    const double height = draw.uniform(6.0, 12.0);
    return {height > 9.0 ? 2 : 1, height};
  }
  if (use == BuildingUse::Religious) return {1, draw.uniform(12.0, 30.0)};
  int levels = draw.integer(style.levelsMin, style.levelsMax);
  if (use == BuildingUse::Office && zone == Zone::Centre) levels += draw.integer(0, 3);
  // Pitched roofs on homes, parapets and plant on the rest.
  const double roof = use == BuildingUse::Residential ? draw.uniform(1.0, 2.5) : draw.uniform(0.3, 1.2);
  return {levels, levels * city::kStoreyHeightM + roof};
}

int drawYear(const ZoneStyle& style, RandomStream& draw) {
  // Squaring the draw skews ages towards the recent end: every town has more new buildings than old ones.
  const double t = 1.0 - draw.unit() * draw.unit();
  return style.yearMin + static_cast<int>(std::floor(t * (style.yearMax - style.yearMin + 1)));
}

class BlockBuilder {
 public:
  BlockBuilder(const TownPlan& plan, const geo::BBox& interior, std::uint64_t blockKey)
      : plan_(plan), interior_(interior), draw_(plan.options.seed, Purpose::Block, blockKey) {
    zone_ = plan.zoneAt(interior.centre());
    const double band = plan.river.halfWidthM + kBuildingRiverClearanceM;
    // Only blocks the river passes near need the per-footprint check.
    for (double x = interior.minX; x <= interior.maxX + 1e-9; x += 5.0) {
      const double y = plan.river.centreY(x);
      if (y > interior.minY - band - 10.0 && y < interior.maxY + band + 10.0) nearRiver_ = true;
    }
  }

  std::vector<city::Building> build() {
    const ZoneStyle& style = styleOf(zone_);
    const double width = interior_.width();
    const double height = interior_.height();
    if (width < 20.0 || height < 20.0) return {};
    const double blockKind = draw_.unit();
    if (blockKind < style.parkChance) return {};
    const bool civicZone = zone_ == Zone::Centre || zone_ == Zone::Inner || zone_ == Zone::Outer;
    if (civicZone && blockKind < style.parkChance + 1.0 / 30.0 && width >= 60.0 && height >= 50.0) {
      buildSchool();
      return std::move(buildings_);
    }
    if (civicZone && blockKind > 0.995 && width >= 60.0 && height >= 50.0) {
      buildHospital();
      return std::move(buildings_);
    }
    buildPerimeter(style);
    return std::move(buildings_);
  }

 private:
  void buildPerimeter(const ZoneStyle& style) {
    const geo::BBox& b = interior_;
    const double depth = std::min(style.depthMaxM + style.frontSetbackMaxM + 4.0, b.height() / 2);
    double x = b.minX;
    for (double w : frontages(b.width(), style, draw_)) {
      addOnParcel({{x, b.minY, x + w, b.minY + depth}, Front::South}, style);
      x += w;
    }
    x = b.minX;
    for (double w : frontages(b.width(), style, draw_)) {
      addOnParcel({{x, b.maxY - depth, x + w, b.maxY}, Front::North}, style);
      x += w;
    }
    const double middle = b.height() - 2 * depth;
    const double sideDepth = std::min(depth, b.width() / 2);
    if (middle < style.frontageMinM || sideDepth * 2 > b.width()) return;
    double y = b.minY + depth;
    for (double w : frontages(middle, style, draw_)) {
      addOnParcel({{b.minX, y, b.minX + sideDepth, y + w}, Front::West}, style);
      y += w;
    }
    y = b.minY + depth;
    for (double w : frontages(middle, style, draw_)) {
      addOnParcel({{b.maxX - sideDepth, y, b.maxX, y + w}, Front::East}, style);
      y += w;
    }
  }

  void addOnParcel(const Parcel& parcel, const ZoneStyle& style) {
    const bool alongX = parcel.front == Front::South || parcel.front == Front::North;
    const double frontage = alongX ? parcel.box.width() : parcel.box.height();
    const double parcelDepth = alongX ? parcel.box.height() : parcel.box.width();
    const double setback = draw_.uniform(style.frontSetbackMinM, style.frontSetbackMaxM);
    const double width = frontage - 2 * style.sideGapM;
    const double depth = std::min(draw_.uniform(style.depthMinM, style.depthMaxM), parcelDepth - setback - 1.5);
    const bool lShape = draw_.chance(style.lShapeChance) && width >= 10.0 && depth >= 10.0;
    const double notchWidth = width * draw_.uniform(0.35, 0.55);
    const double notchDepth = depth * draw_.uniform(0.35, 0.55);
    const bool notchRight = draw_.chance(0.5);
    const BuildingUse use = drawUse(style, draw_);
    const BuildingShape shape = drawShape(use, zone_, style, draw_);
    const int year = drawYear(style, draw_);
    if (width < 5.0 || depth < 5.0) return;
    add(footprintRing(parcel, style.sideGapM, setback, width, depth, lShape, notchWidth, notchDepth, notchRight), use,
        shape, year, "");
  }

  void buildSchool() {
    const geo::BBox& b = interior_;
    const double top = b.maxY - 5.0;
    const double west = b.minX + 5.0;
    const double wing = 14.0;
    const double length = std::min(70.0, b.width() - 10.0);
    const double reach = std::min(45.0, 0.6 * b.height());
    const geo::Ring school = counterClockwise({{west, top - reach},
                                              {west + wing, top - reach},
                                              {west + wing, top - wing},
                                              {west + length, top - wing},
                                              {west + length, top},
                                              {west, top}});
    const int year = draw_.integer(1955, 2010);
    const int levels = draw_.integer(2, 3);
    add(school, BuildingUse::Education, {levels, levels * city::kStoreyHeightM + 1.0}, year, "School");
    // The gym stands in the opposite corner, clear of both wings (the block is at least 60 x 50 m).
    const double east = b.maxX - 5.0;
    const geo::Ring gym = counterClockwise({{east - 30.0, b.minY + 5.0}, {east, b.minY + 5.0}, {east, b.minY + 25.0},
                                            {east - 30.0, b.minY + 25.0}});
    add(gym, BuildingUse::Education, {1, 8.0}, year, "School gym");
  }

  void buildHospital() {
    const geo::BBox& b = interior_;
    const Parcel whole{{b.minX, b.minY, b.maxX, b.maxY}, Front::South};
    const double width = std::min(100.0, b.width() - 16.0);
    const double depth = std::min(60.0, b.height() - 16.0);
    const int levels = draw_.integer(4, 6);
    add(footprintRing(whole, 8.0, 8.0, width, depth, true, 0.45 * width, 0.5 * depth, draw_.chance(0.5)),
        BuildingUse::Health, {levels, levels * city::kStoreyHeightM + 2.0}, draw_.integer(1960, 2015), "Hospital");
  }

  bool clearOfRiver(const geo::Ring& ring) const {
    if (!nearRiver_) return true;
    const geo::BBox box = geo::bounds(ring);
    const double band = plan_.river.halfWidthM + kBuildingRiverClearanceM;
    for (double x = box.minX; x < box.maxX + 1.0; x += 1.0) {
      const double y = plan_.river.centreY(std::min(x, box.maxX));
      if (y > box.minY - band && y < box.maxY + band) return false;
    }
    return true;
  }

  void add(geo::Ring ring, BuildingUse use, BuildingShape shape, int year, std::string name) {
    if (!clearOfRiver(ring)) return;
    city::Building building;
    building.footprint = {geo::Polygon{std::move(ring), {}}};
    building.heightM = shape.heightM;
    building.levels = shape.levels;
    building.use = use;
    building.yearBuilt = year;
    building.heightSource = city::HeightSource::Generated;
    building.name = std::move(name);
    buildings_.push_back(std::move(building));
  }

  const TownPlan& plan_;
  geo::BBox interior_;
  RandomStream draw_;
  Zone zone_ = Zone::Outer;
  bool nearRiver_ = false;
  std::vector<city::Building> buildings_;
};

}  // namespace

std::vector<city::Building> placeBuildings(const TownPlan& plan, const StreetLattice& lattice,
                                           const geo::RasterGrid& terrain, Progress* progress) {
  const std::size_t columns = lattice.blockColumns();
  std::vector<std::vector<city::Building>> perBlock(lattice.blockCount());
  // Each block draws from its own stream and lands in its own slot, so threads cannot change the result.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, perBlock.size(), 64), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t k = range.begin(); k != range.end(); ++k) {
      const std::size_t i = k % columns;
      const std::size_t j = k / columns;
      const geo::BBox interior{lattice.columnX[i] + streetSetbackM(lattice.columnClass[i]),
                               lattice.rowY[j] + streetSetbackM(lattice.rowClass[j]),
                               lattice.columnX[i + 1] - streetSetbackM(lattice.columnClass[i + 1]),
                               lattice.rowY[j + 1] - streetSetbackM(lattice.rowClass[j + 1])};
      perBlock[k] = BlockBuilder(plan, interior, k).build();
      for (auto& building : perBlock[k]) {
        building.groundElevationM = terrainElevationM(terrain, plan, geo::pointOnSurface(building.footprint));
      }
    }
    if (progress) progress->advance(range.size());
  });

  std::vector<city::Building> buildings;
  std::size_t total = 0;
  for (const auto& block : perBlock) total += block.size();
  buildings.reserve(total);
  int schools = 0;
  int hospitals = 0;
  for (auto& block : perBlock) {
    for (auto& building : block) {
      building.id = "sample:building/" + std::to_string(buildings.size() + 1);
      if (building.name == "School") building.name = "School " + std::to_string(++schools);
      if (building.name == "School gym") building.name = "School " + std::to_string(schools) + " gym";
      if (building.name == "Hospital") building.name = "Hospital " + std::to_string(++hospitals);
      buildings.push_back(std::move(building));
    }
  }
  return buildings;
}

}  // namespace citytwin::generate::detail
