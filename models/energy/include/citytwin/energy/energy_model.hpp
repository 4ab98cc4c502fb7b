#pragma once

#include <memory>

#include "citytwin/sim/model.hpp"

namespace citytwin::energy {

// The city energy model behind the engine's Model interface: every building's hourly heating, cooling and
// electricity (ISO 13790 5R1C with a typology table), rooftop PV, and an hourly AC power flow on the
// distribution network generated from the city's grid assets or read from a network file. A substation whose
// site floods above its threshold is switched off, its buildings lose supply and an event reports it.
// Parameters are the scenario's [energy] table (see models/energy/README.md).
class EnergyModel final : public sim::Model {
 public:
  EnergyModel();
  ~EnergyModel() override;

  sim::ModelDescription describe() const override;
  void initialise(const sim::ModelContext& context, city::CityState& state) override;
  void step(sim::SimTime t, sim::SimTime dt, const city::CityState& published, city::CityState& staged) override;
  sim::Kpis kpis() const override;
  void writeOutputs(const std::filesystem::path& directory) const override;
  std::vector<std::uint8_t> snapshot() const override;
  void restore(std::span<const std::uint8_t> bytes) override;
  std::vector<sim::Event> takeEvents() override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace citytwin::energy
