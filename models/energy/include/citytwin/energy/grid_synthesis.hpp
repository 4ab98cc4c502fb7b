#pragma once

#include <cstddef>
#include <string>

#include "citytwin/city/city_model.hpp"

namespace citytwin::energy {

// A cable type of the synthesised low-voltage networks (per conductor system; parallel runs divide R and X).
struct CableType {
  const char* name;
  double resistanceOhmPerKm;
  double reactanceOhmPerKm;
  double ratedAmps;
};

// NAYY 4x50 SE, 4x120 SE and 4x150 SE (0.6/1 kV aluminium, PVC), as in pandapower's basic standard types.
const CableType* lowVoltageCableTypes(std::size_t& count);

struct GridSynthesisOptions {
  // Design loading of transformers and cables at the design peak (headroom for hours above it).
  double designUtilisation = 0.8;
  // A group of buildings wider than this (longer side of its bounding box) gets more than one substation.
  double maxServiceAreaSpanM = 400.0;
  // Lowest voltage at the design peak; cables on the path to a lower bus are reinforced.
  double minDesignVoltagePu = 0.95;
  // Medium-voltage stage: the secondary substations supplied from primaries over MV feeders. Off: each
  // secondary's MV side stays an ideal 1.0 p.u. source.
  bool mediumVoltage = true;
  // Nominal voltage of synthesised MV feeders (20 kV, the most common distribution voltage in continental
  // Europe, e.g. Germany's and France's HTA 20 kV); a mapped primary's own MV voltage takes precedence.
  double mediumVoltageKv = 20.0;
  // A synthesised primary serves at most the design utilisation of this rating (pandapower's middle 110/20 kV
  // type, 40 MVA) and a group of secondaries no wider than the span.
  double primaryUnitMva = 40.0;
  double maxPrimarySpanM = 6000.0;
  // A mapped primary supplies the secondaries within this distance that are nearer to it than to another.
  double osmPrimaryReachM = 5000.0;
};

struct GridSynthesisReport {
  std::size_t buildingsConsidered = 0;     // buildings on no feeder before the synthesis
  std::size_t osmSubstationsUsed = 0;      // mapped substations that became the site of a network
  std::size_t substationsSynthesised = 0;  // new sites, including those of single large buildings
  std::size_t dedicatedSubstations = 0;    // of which serve one building above one transformer's capacity
  std::size_t feeders = 0;                 // feeder sections written
  std::size_t directCables = 0;            // buildings with no street path from their substation
  double cableKm = 0;                      // route length of the feeder sections (parallel runs counted once)
  double designPeakMw = 0;                 // sum of the buildings' design peaks
  double maxDesignLoading = 0;             // largest cable or transformer loading at the design peak
  double minDesignVoltagePu = 1;           // lowest bus voltage at the design peak
  int sizingRounds = 0;                    // power flows until no cable or transformer needed reinforcing
  // Medium-voltage stage.
  std::size_t osmPrimariesUsed = 0;           // mapped HV/MV substations that supply secondaries
  std::size_t primariesSynthesised = 0;       // new HV/MV substations
  std::size_t mediumVoltageFeeders = 0;       // MV feeder sections written
  std::size_t directMediumVoltageCables = 0;  // secondaries with no street path from their primary
  double mediumVoltageKm = 0;                 // route length of the MV feeder sections
  double maxMediumVoltageLoading = 0;  // largest MV cable or primary transformer loading at the design peak
  double minNetworkVoltagePu = 1;      // lowest bus voltage of the MV+LV networks at the design peak
  int mediumVoltageRounds = 0;         // power flows of the MV stage
};

// Design peak electricity of a building in kW: its floor area (footprint x storeys, as the energy model
// counts it) times its use's peak electricity density, plus 25 W/m2 for cooled uses (a 75 W/m2 design
// cooling load at the model's EER of 3).
double designPeakKw(const city::Building& building);

// Synthesises a radial medium/low-voltage distribution grid for every building that no feeder serves yet and
// adds it to city.grid (source "synthesised"; mapped OSM substations of at most 36 kV or of unknown voltage
// are used as sites where they lie in a service area). Substations are placed by recursive bisection of the
// buildings' design load (each service area within one transformer's utilised capacity and the span), feeders
// follow the shortest street paths from the substation to the buildings (a shortest-path tree over the road
// graph, cut into sections at its branch points), cables are sized to the downstream design load and then
// reinforced until an AC power flow at the design peak keeps every cable and transformer within the design
// utilisation and every bus above the design voltage. Then, unless options.mediumVoltage is off, the
// secondaries are supplied over medium-voltage feeders from primary substations
// (medium_voltage_synthesis.hpp). Deterministic: the same city gives the same grid.
GridSynthesisReport synthesiseGrid(city::CityModel& city, const GridSynthesisOptions& options = {});

}  // namespace citytwin::energy
