#include "citytwin/flood/simulation.hpp"

#include <algorithm>
#include <cmath>

#include "simulation_engine.hpp"

namespace citytwin::flood {

double MassBalance::error() const {
  return volume - initialVolume -
         (boundaryInflow - boundaryOutflow + pointInflow + rainfall - infiltration - drainage + clipped);
}

double MassBalance::relativeError() const {
  const double scale = std::max({initialVolume, boundaryInflow + std::max(pointInflow, 0.0) + rainfall, 1e-300});
  return error() / scale;
}

Simulation::Simulation(Domain domain, Forcing forcing, SimulationOptions options)
    : engine_(options.precision == Precision::Single
                  ? makeSinglePrecisionEngine(std::move(domain), std::move(forcing), options)
                  : makeDoublePrecisionEngine(std::move(domain), std::move(forcing), options)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation&&) noexcept = default;
Simulation& Simulation::operator=(Simulation&&) noexcept = default;

void Simulation::advanceTo(double t) {
  while (engine_->time() < t) {
    const double before = engine_->time();
    engine_->step(t);
    if (!(engine_->time() > before)) break;
  }
}
void Simulation::step(double limit) { engine_->step(limit); }
double Simulation::time() const { return engine_->time(); }
const Domain& Simulation::domain() const { return engine_->domain(); }
Forcing& Simulation::forcing() { return engine_->forcing(); }
const SimulationOptions& Simulation::options() const { return engine_->options(); }
const MassBalance& Simulation::massBalance() const { return engine_->massBalance(); }
const StepInfo& Simulation::stepInfo() const { return engine_->stepInfo(); }
std::uint64_t Simulation::cellUpdates() const { return engine_->cellUpdates(); }
void Simulation::setDepths(std::span<const double> depths) { engine_->setDepths(depths); }
void Simulation::setDischarges(std::span<const double> eastward, std::span<const double> northward) {
  engine_->setDischarges(eastward, northward);
}
void Simulation::raiseCells(std::span<const std::size_t> cells, double newElevation) {
  engine_->raiseCells(cells, newElevation);
}
std::vector<double> Simulation::depths() const { return engine_->depths(); }
double Simulation::depthAt(std::size_t cell) const { return engine_->depthAt(cell); }
std::vector<double> Simulation::speeds() const { return engine_->speeds(); }
const std::vector<float>& Simulation::maxDepth() const { return engine_->maxDepth(); }
const std::vector<float>& Simulation::maxSpeed() const { return engine_->maxSpeed(); }
const std::vector<float>& Simulation::maxHazard() const { return engine_->maxHazard(); }
const std::vector<float>& Simulation::firstWettingTime() const { return engine_->firstWettingTime(); }
std::vector<std::uint8_t> Simulation::snapshot() const { return engine_->snapshot(); }
void Simulation::restore(std::span<const std::uint8_t> bytes) { engine_->restore(bytes); }

}  // namespace citytwin::flood
