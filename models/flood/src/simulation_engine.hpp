#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "citytwin/flood/simulation.hpp"

namespace citytwin::flood {

// The precision- and scheme-specific solver behind Simulation.
class SimulationEngine {
 public:
  virtual ~SimulationEngine() = default;
  virtual void step(double limit) = 0;
  virtual double time() const = 0;
  virtual const Domain& domain() const = 0;
  virtual Forcing& forcing() = 0;
  virtual const SimulationOptions& options() const = 0;
  virtual const MassBalance& massBalance() const = 0;
  virtual const StepInfo& stepInfo() const = 0;
  virtual std::uint64_t cellUpdates() const = 0;
  virtual void setDepths(std::span<const double> depths) = 0;
  virtual void setDischarges(std::span<const double> eastward, std::span<const double> northward) = 0;
  virtual void raiseCells(std::span<const std::size_t> cells, double newElevation) = 0;
  virtual std::vector<double> depths() const = 0;
  virtual double depthAt(std::size_t cell) const = 0;
  virtual std::vector<double> speeds() const = 0;
  virtual const std::vector<float>& maxDepth() const = 0;
  virtual const std::vector<float>& maxSpeed() const = 0;
  virtual const std::vector<float>& maxHazard() const = 0;
  virtual const std::vector<float>& firstWettingTime() const = 0;
  virtual std::vector<std::uint8_t> snapshot() const = 0;
  virtual void restore(std::span<const std::uint8_t> bytes) = 0;
};

std::unique_ptr<SimulationEngine> makeSinglePrecisionEngine(Domain domain, Forcing forcing, SimulationOptions options);
std::unique_ptr<SimulationEngine> makeDoublePrecisionEngine(Domain domain, Forcing forcing, SimulationOptions options);

}  // namespace citytwin::flood
