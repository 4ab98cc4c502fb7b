#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "citytwin/flood/domain.hpp"
#include "citytwin/flood/forcing.hpp"

namespace citytwin::flood {

enum class Scheme { LocalInertial, FiniteVolume };
// float halves the memory traffic of the hot loops; double conserves mass to ~1e-12 (see README).
enum class Precision { Single, Double };

struct SimulationOptions {
  Scheme scheme = Scheme::LocalInertial;
  Precision precision = Precision::Single;
  double theta = 1.0;             // de Almeida et al. (2012) weighting; 1 = Bates et al. (2010)
  double cfl = 0.0;               // 0 = scheme default: 0.7 local inertial, 0.5 finite volume
  double maxTimeStep = 10.0;      // s; also the step while the domain is dry
  double fixedTimeStep = 0.0;     // > 0 switches the adaptive step off
  double depthThreshold = 1e-3;   // local inertial: faces with less flow depth carry no flux
  double wetThreshold = 1e-3;     // depth counted as wet for first wetting and flooded area
  bool trackMaxima = true;        // max depth / velocity / first wetting each step
  int threads = 0;                // 0 = all available
};

// Where the water went since the start (m3). error = stored - initial - (in - out - losses).
struct MassBalance {
  double initialVolume = 0.0;
  double volume = 0.0;
  double boundaryInflow = 0.0;
  double boundaryOutflow = 0.0;
  double pointInflow = 0.0;   // net of point level boundaries
  double rainfall = 0.0;
  double infiltration = 0.0;
  double drainage = 0.0;
  double clipped = 0.0;       // water created by clamping round-off negative depths to zero
  double error() const;
  double relativeError() const;  // error over max(initial volume, total inflow)
};

// The latest step's numbers (for LISFLOOD-FP's .mass file).
struct StepInfo {
  double time = 0.0;
  double timeStep = 0.0;
  double minTimeStep = 0.0;
  std::int64_t steps = 0;
  double inflowRate = 0.0;   // m3/s over the last step
  double outflowRate = 0.0;
};

class SimulationEngine;

// A 2-D shallow-water flood simulation on a Domain. Deterministic: results are bit-identical for any
// thread count (rows are computed independently; reductions combine per-row partials in row order).
class Simulation {
 public:
  Simulation(Domain domain, Forcing forcing, SimulationOptions options);
  ~Simulation();
  Simulation(Simulation&&) noexcept;
  Simulation& operator=(Simulation&&) noexcept;

  // Advances to time t (s), never stepping past it.
  void advanceTo(double t);
  // One adaptive step, but not beyond `limit`.
  void step(double limit);

  double time() const;
  const Domain& domain() const;
  Forcing& forcing();  // edit between steps (interventions); keeps sizes
  const SimulationOptions& options() const;
  const MassBalance& massBalance() const;
  const StepInfo& stepInfo() const;
  std::uint64_t cellUpdates() const;  // cells times steps so far

  // Sets initial depths (m) before the first step.
  void setDepths(std::span<const double> depths);
  // Sets initial cell-centred unit discharges (m2/s, x east, y north) after setDepths.
  void setDischarges(std::span<const double> eastward, std::span<const double> northward);
  // Changes ground elevation of cells (walls, levees), keeping depth where not blocked.
  void raiseCells(std::span<const std::size_t> cells, double newElevation);

  std::vector<double> depths() const;
  double depthAt(std::size_t cell) const;
  // Cell-centred velocity magnitude (m/s).
  std::vector<double> speeds() const;
  const std::vector<float>& maxDepth() const;
  const std::vector<float>& maxSpeed() const;
  const std::vector<float>& maxHazard() const;        // max of depth * (speed + 0.5)
  const std::vector<float>& firstWettingTime() const; // s, or -1 where never wet

  std::vector<std::uint8_t> snapshot() const;
  void restore(std::span<const std::uint8_t> bytes);

 private:
  std::unique_ptr<SimulationEngine> engine_;
};

}  // namespace citytwin::flood
