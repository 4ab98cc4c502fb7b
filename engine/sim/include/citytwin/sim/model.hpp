#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "citytwin/city/city_model.hpp"
#include "citytwin/city/city_state.hpp"
#include "citytwin/city/coupling_columns.hpp"
#include "citytwin/core/value.hpp"
#include "citytwin/geo/raster_grid.hpp"
#include "citytwin/sim/intervention.hpp"
#include "citytwin/sim/kpi_definition.hpp"
#include "citytwin/sim/sim_time.hpp"

namespace citytwin::sim {

// A column of the city state a model reads or writes. The columns models share are declared in
// citytwin/city/coupling_columns.hpp; name them through those declarations.
struct AttributeRef {
  AttributeRef(city::Layer layer, std::string name) : layer(layer), name(std::move(name)) {}
  // Implicit, so a declared column can stand where a reference is expected.
  AttributeRef(const city::CouplingColumn& column) : layer(column.layer), name(column.name) {}  // NOLINT
  city::Layer layer;
  std::string name;
  friend bool operator==(const AttributeRef&, const AttributeRef&) = default;
};

// Whether a model can run without a column it reads.
enum class ReadNeed {
  Required,  // some model of the branch must write it, or it must be an input of the city
  Optional,  // the model does without (it checks CityState::has, or creates the column with a default)
};

// A column a model reads. Binding refuses a read of a column that is not declared (coupling_columns.hpp,
// or ModelRegistry::declareColumn), and a required read that nothing can provide (Scheduler::bind).
struct AttributeRead {
  AttributeRead(city::Layer layer, std::string name, ReadNeed need = ReadNeed::Required)
      : attribute(layer, std::move(name)), need(need) {}
  AttributeRead(const city::CouplingColumn& column, ReadNeed need = ReadNeed::Required)  // NOLINT
      : attribute(column), need(need) {}
  AttributeRef attribute;
  ReadNeed need = ReadNeed::Required;
};

// What the values a model writes describe. Either way the scheduler publishes them when the step that
// computed them ends (coupling); the state recorder labels them with the time they describe, so a
// substation a model switches off for the step from 1 h shows as off from 1 h in the state files, next to
// the event the model reports at 1 h.
enum class WrittenValues {
  EndOfStep,  // the state reached at the end of the step [t, t + dt): a depth, a level, a running maximum
  ForStep,    // what held throughout the step [t, t + dt): a load, a flow, a switch position
};

struct ModelDescription {
  std::string name;                  // "flood", "traffic", "energy"
  std::vector<AttributeRead> reads;  // published by other models, or inputs of the city
  std::vector<AttributeRef> writes;  // published by this model at its step boundaries
  SimTime preferredStep = kSecond;   // its coupling step; it may substep inside
  bool canSnapshot = true;
  std::vector<std::string> interventionKinds;  // e.g. "add_rainfall", "close_road"
  std::vector<KpiDefinition> kpis;             // every KPI kpis() can return, with unit and direction
  WrittenValues writtenValues = WrittenValues::EndOfStep;  // what the `writes` values describe
};

// Everything a model gets when a branch starts.
struct ModelContext {
  const city::CityModel& city;
  const Value& parameters;                  // the scenario's [<model name>] table (empty when absent)
  std::string scenarioFile;                 // for InputError locations
  std::filesystem::path scenarioDirectory;  // relative input paths resolve against it
  std::filesystem::path outputDirectory;    // this variant's folder for the model's own files
  std::uint64_t seed = 0;                   // this branch's seed for this model
  SimTime end = 0;                          // the run covers [0, end)
  std::string startIso8601;                 // wall-clock time of SimTime 0, e.g. "2026-07-01T00:00:00Z"
  std::vector<Intervention> interventions;  // the variant's interventions of this model's kinds
};

// A result raster in the city CRS. Models cannot link the I/O library, so they hand rasters to the
// caller, which writes them (GeoTIFF) as `<variant>/<model>/<name>.tif`.
struct RasterOutput {
  std::string name;  // e.g. "max_depth_m"
  geo::RasterGrid grid;
  int epsg = 0;
};
using RasterWriter = std::function<void(const std::filesystem::path& file, const RasterOutput& raster)>;

// Ordered so printed and stored KPIs never depend on hash order.
using Kpis = std::map<std::string, double>;

// Something that happened in a branch at a simulated time ("road closed", "substation de-energised").
// Models report theirs through Model::takeEvents(); the engine adds its own (interventions applied).
struct Event {
  SimTime time = 0;
  std::string source;   // the model's name, or "engine"
  std::string kind;     // short machine-readable word, e.g. "road_closed"
  std::string entity;   // the city object's id, empty when the event concerns no single object
  std::string message;  // one line for people
  friend bool operator==(const Event&, const Event&) = default;
};

// The one interface every domain model implements (shaped after FMI co-simulation: doStep, get/set state).
// The scheduler calls initialise once, then step for consecutive intervals [t, t + dt). During a step
// the model reads `published` — the branch state as of the last boundary, identical for every model
// stepping in that interval — and writes only its declared `writes` into `staged`; the scheduler
// publishes them at t + dt, so coupling never depends on the order models are stepped in.
class Model {
 public:
  virtual ~Model() = default;

  virtual ModelDescription describe() const = 0;
  // Throws InputError (file, line, key) for bad parameters or interventions.
  virtual void initialise(const ModelContext& context, city::CityState& state) = 0;
  virtual void step(SimTime t, SimTime dt, const city::CityState& published, city::CityState& staged) = 0;
  // The model's indicators now (called at boundaries for time series, and at the end for the summary).
  // Every name must be defined in describe().kpis; the branch refuses an undefined one.
  virtual Kpis kpis() const = 0;
  // Writes the model's result files (GeoTIFF, CSV, ...) into the given folder at the end of a run.
  virtual void writeOutputs(const std::filesystem::path& directory) const { (void)directory; }
  // Result rasters for the caller to write (see RasterOutput); none by default.
  virtual std::vector<RasterOutput> rasterOutputs() const { return {}; }
  // Complete internal state, so that restore() followed by the same steps gives identical results.
  virtual std::vector<std::uint8_t> snapshot() const = 0;
  virtual void restore(std::span<const std::uint8_t> bytes) = 0;
  // Events since the last call (the scheduler calls it after each step and stores them with the run).
  // `source` may be left empty: the scheduler fills in the model's name.
  virtual std::vector<Event> takeEvents() { return {}; }
};

}  // namespace citytwin::sim
