#include "citytwin/energy/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "citytwin/energy/building_stock.hpp"

namespace citytwin::energy {

city::CityModel syntheticCity(std::size_t count, std::uint64_t seed, std::size_t perSubstation) {
  city::CityModel c;
  c.crsEpsg = 32632;
  c.name = "synthetic energy city";
  const std::size_t perRow = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(count)))));
  const double pitch = 25.0;   // plot size (m)
  c.buildings.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double x0 = static_cast<double>(i % perRow) * pitch, y0 = static_cast<double>(i / perRow) * pitch;
    const double w = 10.0 + 8.0 * selectionDraw(seed, i, 11), d = 8.0 + 8.0 * selectionDraw(seed, i, 12);
    city::Building b;
    b.id = "synthetic:building/" + std::to_string(i);
    b.footprint = {geo::Polygon{{{x0, y0}, {x0 + w, y0}, {x0 + w, y0 + d}, {x0, y0 + d}}, {}}};
    const double u = selectionDraw(seed, i, 13);
    b.use = u < 0.75 ? city::BuildingUse::Residential
            : u < 0.85 ? city::BuildingUse::Office
            : u < 0.93 ? city::BuildingUse::Retail
            : u < 0.97 ? city::BuildingUse::Education
                       : city::BuildingUse::Industrial;
    b.levels = 1 + static_cast<int>(5.0 * selectionDraw(seed, i, 14));
    b.heightM = b.levels * city::kStoreyHeightM;
    b.yearBuilt = 1900 + static_cast<int>(125.0 * selectionDraw(seed, i, 15));
    b.heightSource = city::HeightSource::Generated;
    c.buildings.push_back(std::move(b));
  }
  // Substations serve consecutive runs of buildings; each of its four feeders runs along the plots it serves.
  for (std::size_t first = 0; first < count; first += perSubstation) {
    const std::size_t last = std::min(count, first + perSubstation);
    city::Substation sub;
    sub.id = "synthetic:substation/" + std::to_string(c.grid.substations.size());
    sub.position = {static_cast<double>(first % perRow) * pitch, static_cast<double>(first / perRow) * pitch - 5.0};
    sub.ratedMva = 0.63;
    sub.primaryKv = 10.0;
    sub.secondaryKv = 0.4;
    const auto subIndex = static_cast<std::uint32_t>(c.grid.substations.size());
    c.grid.substations.push_back(sub);
    const std::size_t feeders = 4, per = (last - first + feeders - 1) / feeders;
    for (std::size_t f = 0; f < feeders; ++f) {
      const std::size_t a = first + f * per, b = std::min(last, a + per);
      if (a >= b) break;
      city::Feeder feeder;
      feeder.id = sub.id + "/feeder/" + std::to_string(f);
      feeder.substation = subIndex;
      feeder.voltageKv = 0.4;
      feeder.ratedAmps = 400;
      feeder.resistanceOhmPerKm = 0.125;
      feeder.reactanceOhmPerKm = 0.07;
      feeder.route.push_back(sub.position);
      for (std::size_t k = a; k < b; ++k) {
        feeder.route.push_back({static_cast<double>(k % perRow) * pitch, static_cast<double>(k / perRow) * pitch - 2.0});
        feeder.servedBuildings.push_back(static_cast<std::uint32_t>(k));
      }
      c.grid.feeders.push_back(std::move(feeder));
    }
  }
  return c;
}

PowerCase replicateCase(const PowerCase& base, int copies) {
  PowerCase out;
  out.source = base.source + " x" + std::to_string(copies);
  out.baseMva = base.baseMva;
  int maxId = 0;
  for (const CaseBus& b : base.buses) maxId = std::max(maxId, b.id);
  for (int c = 0; c < copies; ++c) {
    const int offset = c * (maxId + 1);
    for (CaseBus b : base.buses) {
      b.id += offset;
      if (c > 0 && b.type == BusType::Reference) b.type = BusType::PV;
      out.buses.push_back(b);
    }
    for (CaseGenerator g : base.generators) {
      g.bus += offset;
      out.generators.push_back(g);
    }
    for (CaseBranch br : base.branches) {
      br.from += offset;
      br.to += offset;
      out.branches.push_back(br);
    }
  }
  if (copies > 1)
    for (int c = 0; c < copies; ++c) {
      CaseBranch tie;
      tie.from = base.buses.front().id + c * (maxId + 1);
      tie.to = base.buses.front().id + ((c + 1) % copies) * (maxId + 1);
      tie.r = 0.001;
      tie.x = 0.01;
      out.branches.push_back(tie);
    }
  return out;
}

}  // namespace citytwin::energy
