#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/sim/model.hpp"
#include "citytwin/traffic/city_network.hpp"
#include "citytwin/traffic/microsimulation.hpp"
#include "citytwin/traffic/result_recorder.hpp"
#include "citytwin/traffic/trip_costs.hpp"
#include "citytwin/traffic/trip_table.hpp"

namespace citytwin::traffic {

// The traffic model of a city scenario: a microsimulation on the city's roads with demand generated from
// building uses (or read from an OD table). Each coupling step it closes links the flood model reports
// deeper than the closure depth (or marked "closed"), reroutes vehicles around them, and publishes per-link
// flow and mean speed; at the end it writes vehicle positions, link time series and trips into the variant's
// traffic/ folder. Parameters are the scenario's [traffic] table (see models/traffic/README.md).
class TrafficModel : public sim::Model {
 public:
  TrafficModel();
  ~TrafficModel() override;

  sim::ModelDescription describe() const override;
  void initialise(const sim::ModelContext& context, city::CityState& state) override;
  void step(sim::SimTime t, sim::SimTime dt, const city::CityState& published,
            city::CityState& staged) override;
  std::vector<sim::Event> takeEvents() override;
  sim::Kpis kpis() const override;
  void writeOutputs(const std::filesystem::path& directory) const override;
  std::vector<std::uint8_t> snapshot() const override;
  void restore(std::span<const std::uint8_t> bytes) override;

  // For tests and tools: the simulation after initialise().
  const Microsimulation& simulation() const;
  std::size_t tripsUnroutable() const { return unroutable_; }

 private:
  struct Settings;
  // Free-flow time of each trip without an open route (fastest[k] empty) on the network without the run's
  // closures; 0 for the others and where even that network has no route.
  std::vector<double> freeFlowWithoutClosures(
      const std::vector<GeneratedTrip>& trips,
      const std::vector<std::optional<std::vector<std::int32_t>>>& fastest,
      const std::vector<std::vector<std::uint32_t>>& outgoing,
      const std::vector<std::vector<std::uint32_t>>& incoming);
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<Microsimulation> simulation_;
  std::unique_ptr<ResultRecorder> recorder_;
  std::vector<CityTrip> trips_;
  std::vector<std::string> nodeIds_;
  std::vector<std::string> linkIds_;
  std::vector<sim::Event> events_;  // roads closed by water since the last takeEvents()
  std::vector<std::uint8_t> closedByIntervention_;
  std::size_t unroutable_ = 0;
  double routeGap_ = 0.0;               // dynamic user equilibrium's relative gap (0 without it)
  std::vector<UnroutedTrip> unrouted_;  // charged as trips that cannot be made (trip_costs.hpp)
  std::size_t roadCount_ = 0;
};

}  // namespace citytwin::traffic
