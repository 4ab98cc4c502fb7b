#include "citytwin/sim/branch.hpp"

#include <algorithm>
#include <sstream>
#include <utility>

#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/core/splitmix64.hpp"
#include "citytwin/sim/engine_interventions.hpp"

namespace citytwin::sim {
namespace {

std::string formatValue(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

}  // namespace

std::uint64_t modelSeed(std::uint64_t branchSeed, const std::string& modelName) {
  Fingerprint name;
  name.add(modelName);
  return splitMix64(branchSeed ^ name.value());
}

Branch::Branch(BranchSpec spec, const ModelRegistry& registry)
    : name_(spec.name), city_(spec.city), scheduler_(spec.end), kpiInterval_(spec.kpiInterval) {
  if (spec.city == nullptr) throw Error("branch '" + spec.name + "' has no city");
  const city::CityModel& city = *spec.city;

  // Engine interventions first: they decide which models run and with which inputs.
  std::vector<std::string> modelNames = spec.models;
  std::map<std::string, Value>& parameters = spec.modelParameters;
  std::vector<std::pair<const Intervention*, SetAttribute>> attributeSettings;
  std::vector<Intervention*> modelInterventions;
  std::vector<Event> startEvents;
  for (Intervention& intervention : spec.interventions) {
    if (!isEngineInterventionKind(intervention.kind)) {
      modelInterventions.push_back(&intervention);
      continue;
    }
    EngineAction action = parseEngineIntervention(intervention);
    if (auto* toggle = std::get_if<ToggleModel>(&action)) {
      if (!registry.contains(toggle->model)) {
        throw InputError(intervention.locationOf("model"), "unknown model '" + toggle->model + "'");
      }
      const auto found = std::find(modelNames.begin(), modelNames.end(), toggle->model);
      if (toggle->enable && found == modelNames.end()) modelNames.push_back(toggle->model);
      if (!toggle->enable && found != modelNames.end()) modelNames.erase(found);
      startEvents.push_back({0, "engine", intervention.kind, "",
                             "model '" + toggle->model + "' " + (toggle->enable ? "enabled" : "disabled")});
    } else if (auto* scale = std::get_if<ScaleSeries>(&action)) {
      applyScaleSeries(*scale, intervention, parameters[scale->model]);
      startEvents.push_back({0, "engine", intervention.kind, "",
                             "input '" + scale->series + "' of model '" + scale->model + "' scaled by " +
                                 formatValue(scale->factor)});
    } else {
      attributeSettings.emplace_back(&intervention, std::get<SetAttribute>(std::move(action)));
    }
  }

  // Create the models, then hand each the interventions of the kinds it declares.
  std::vector<std::unique_ptr<Model>> models;
  std::vector<ModelDescription> descriptions;
  for (const std::string& modelName : modelNames) {
    models.push_back(registry.create(modelName));
    descriptions.push_back(models.back()->describe());
  }
  std::vector<std::vector<Intervention>> routed(models.size());
  for (Intervention* intervention : modelInterventions) {
    bool handled = false;
    for (std::size_t m = 0; m < models.size() && !handled; ++m) {
      const auto& kinds = descriptions[m].interventionKinds;
      if (std::find(kinds.begin(), kinds.end(), intervention->kind) != kinds.end()) {
        routed[m].push_back(std::move(*intervention));
        handled = true;
      }
    }
    if (!handled) {
      throw InputError(intervention->locationOf("kind"),
                       "no model of this branch handles intervention kind '" + intervention->kind + "'");
    }
  }

  published_ = city::CityState(city);
  if (spec.prepareState) spec.prepareState(published_);
  static const Value kNoParameters = Value::table();
  for (std::size_t m = 0; m < models.size(); ++m) {
    const std::string& modelName = modelNames[m];
    const auto parametersFound = parameters.find(modelName);
    ModelContext context{city,
                         parametersFound == parameters.end() ? kNoParameters : parametersFound->second,
                         spec.scenarioFile,
                         spec.scenarioDirectory,
                         spec.outputDirectory,
                         modelSeed(spec.seed, modelName),
                         spec.end,
                         spec.startIso8601,
                         std::move(routed[m])};
    models[m]->initialise(context, published_);
    const auto stepFound = spec.modelSteps.find(modelName);
    scheduler_.add(modelName, std::move(models[m]),
                   stepFound == spec.modelSteps.end() ? 0 : stepFound->second);
  }

  // Prepared values (e.g. observations) also replace what the models put into the state themselves.
  if (spec.prepareState) spec.prepareState(published_);

  // Attribute settings override the models' initial values, so the what-if holds at t = 0; timed ones
  // wait for their boundary.
  for (const auto& [intervention, setting] : attributeSettings) {
    if (setting.at >= spec.end) {
      throw InputError(intervention->locationOf("at"), "is not before the end of the run");
    }
    TimedSetting timed;
    timed.at = setting.at;
    timed.layer = setting.layer;
    timed.attribute = setting.attribute;
    timed.value = setting.value;
    timed.objects = setting.selector.resolve(city, spec.seed);
    timed.event = {setting.at, "engine", intervention->kind,
                   timed.objects.size() == 1 ? entityId(city, setting.layer, timed.objects.front()) : "",
                   std::string(city::toString(setting.layer)) + " '" + setting.attribute + "' set to " +
                       formatValue(setting.value) + " on " + std::to_string(timed.objects.size()) +
                       (timed.objects.size() == 1 ? " object" : " objects")};
    timed_.push_back(std::move(timed));
  }
  std::stable_sort(timed_.begin(), timed_.end(),
                   [](const TimedSetting& a, const TimedSetting& b) { return a.at < b.at; });
  events_ = std::move(startEvents);
  applyTimedSettings(0);
  staged_ = published_;
  scheduler_.declareColumns(registry.declaredColumns());
  scheduler_.bind(published_, staged_);
  lastRecordMark_.assign(scheduler_.modelCount(), -1);
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) recordKpis(m, 0);
  std::vector<AttributeRef> published;
  std::vector<AttributeRef> forStep;
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) {
    const ModelDescription& description = scheduler_.description(m);
    published.insert(published.end(), description.writes.begin(), description.writes.end());
    if (description.writtenValues == WrittenValues::ForStep) {
      forStep.insert(forStep.end(), description.writes.begin(), description.writes.end());
    }
  }
  // The first row (t = 0) is taken once the first steps have run: step values describe [0, dt).
  stateRecorder_ = StateRecorder(published, spec.stateInterval, forStep);
}

bool Branch::runsModel(const std::string& modelName) const {
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) {
    if (scheduler_.modelName(m) == modelName) return true;
  }
  return false;
}

bool Branch::advanceTo(SimTime until, const Scheduler::StopRequested& stop,
                       const Scheduler::BoundaryObserver& onBoundary) {
  const Scheduler::PublishObserver record = [this](std::size_t modelIndex, SimTime t) {
    recordKpis(modelIndex, t);
  };
  const Scheduler::StepsStartedObserver stepsStarted = [this](SimTime t) {
    // Events carry the start of the step that raised them (or the time of the intervention), so those of t
    // are at the end of the list by now; the state gets rows at their time whatever its interval, for the
    // columns of the models that raised them (all columns for the engine's interventions).
    std::vector<AttributeRef> eventColumns;
    std::vector<bool> raised(scheduler_.modelCount(), false);
    bool eventAtT = false;
    bool everyColumn = false;
    for (auto event = events_.rbegin(); event != events_.rend() && event->time >= t; ++event) {
      if (event->time != t) continue;
      eventAtT = true;
      bool fromModel = false;
      for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) {
        if (scheduler_.modelName(m) != event->source) continue;
        fromModel = true;
        if (raised[m]) continue;
        raised[m] = true;
        const auto& writes = scheduler_.description(m).writes;
        eventColumns.insert(eventColumns.end(), writes.begin(), writes.end());
      }
      everyColumn = everyColumn || !fromModel;
    }
    if (everyColumn) eventColumns = stateRecorder_.columns();
    stateRecorder_.observe(t, scheduler_.end(), published_, staged_, eventAtT ? &eventColumns : nullptr);
  };

  // Pause at each timed setting's boundary, apply it, then go on: the steps starting there read it.
  while (timedApplied_ < timed_.size() && timed_[timedApplied_].at <= std::min(until, scheduler_.end())) {
    const SimTime at = timed_[timedApplied_].at;
    if (!scheduler_.advanceTo(at, record, stop, &events_, onBoundary, stepsStarted)) return false;
    applyTimedSettings(at);
  }
  return scheduler_.advanceTo(until, record, stop, &events_, onBoundary, stepsStarted);
}

void Branch::setAttribute(city::Layer layer, const std::string& attribute,
                          const std::vector<std::uint32_t>& objects, const std::vector<double>& values) {
  if (objects.size() != values.size()) {
    throw Error("setting '" + attribute + "': " + std::to_string(objects.size()) + " objects but " +
                std::to_string(values.size()) + " values");
  }
  const std::size_t count = published_.objectCount(layer);
  for (std::uint32_t index : objects) {
    if (index >= count) {
      throw Error("setting '" + attribute + "': object " + std::to_string(index) + " is outside the " +
                  std::string(city::toString(layer)) + " layer (" + std::to_string(count) + " objects)");
    }
  }
  // Creating a column inserts into the state's map, which keeps the scheduler's bound columns valid.
  std::vector<double>& column = published_.column(layer, attribute);
  for (std::size_t i = 0; i < objects.size(); ++i) column[objects[i]] = values[i];
  events_.push_back({scheduler_.now(), "engine", "set_attribute",
                     objects.size() == 1 ? entityId(*city_, layer, objects.front()) : "",
                     std::string(city::toString(layer)) + " '" + attribute + "' set on " +
                         std::to_string(objects.size()) + (objects.size() == 1 ? " object" : " objects")});
}

void Branch::applyTimedSettings(SimTime t) {
  while (timedApplied_ < timed_.size() && timed_[timedApplied_].at <= t) {
    const TimedSetting& setting = timed_[timedApplied_];
    // Creating a column inserts into the state's map, which keeps the scheduler's bound columns valid.
    std::vector<double>& column = published_.column(setting.layer, setting.attribute);
    for (std::uint32_t index : setting.objects) column[index] = setting.value;
    events_.push_back(setting.event);
    ++timedApplied_;
  }
}

std::uint32_t Branch::internKpi(const std::string& kpiName) {
  const auto found = kpiIndex_.find(kpiName);
  if (found != kpiIndex_.end()) return found->second;
  const auto index = static_cast<std::uint32_t>(kpiNames_.size());
  kpiNames_.push_back(kpiName);
  kpiIndex_.emplace(kpiName, index);
  return index;
}

void Branch::recordKpis(std::size_t modelIndex, SimTime t) {
  if (kpiInterval_ > 0 && t != scheduler_.end()) {
    const SimTime mark = t / kpiInterval_;
    if (mark == lastRecordMark_[modelIndex] && t != 0) return;
    lastRecordMark_[modelIndex] = mark;
  }
  for (const auto& [kpi, value] : definedKpis(modelIndex)) {
    kpiSeries_.push_back({static_cast<std::uint32_t>(modelIndex), internKpi(kpi), t, value});
  }
}

std::map<std::string, Kpis> Branch::currentKpis() const {
  std::map<std::string, Kpis> result;
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) result[scheduler_.modelName(m)] = definedKpis(m);
  return result;
}

Kpis Branch::definedKpis(std::size_t modelIndex) const {
  Kpis kpis = scheduler_.model(modelIndex).kpis();
  const std::vector<KpiDefinition>& definitions = scheduler_.description(modelIndex).kpis;
  for (const auto& entry : kpis) {
    if (findKpiDefinition(definitions, entry.first) == nullptr) {
      throw Error("model '" + scheduler_.modelName(modelIndex) + "' reports KPI '" + entry.first +
                  "' without defining it (ModelDescription::kpis)");
    }
  }
  return kpis;
}

void Branch::writeOutputs(const std::filesystem::path& directory, const RasterWriter& writeRaster) const {
  std::filesystem::create_directories(directory);
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) {
    const Model& model = scheduler_.model(m);
    model.writeOutputs(directory);
    if (!writeRaster) continue;
    const std::vector<RasterOutput> rasters = model.rasterOutputs();
    if (rasters.empty()) continue;
    const std::filesystem::path modelDirectory = directory / scheduler_.modelName(m);
    std::filesystem::create_directories(modelDirectory);
    for (const auto& raster : rasters) writeRaster(modelDirectory / (raster.name + ".tif"), raster);
  }
  stateRecorder_.writeCsv(directory / "state", *city_);
}

BranchSnapshot Branch::snapshot() const {
  BranchSnapshot result;
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) {
    if (!scheduler_.description(m).canSnapshot) {
      throw Error("model '" + scheduler_.modelName(m) + "' cannot snapshot its state");
    }
    result.models.push_back(scheduler_.model(m).snapshot());
  }
  result.timing = scheduler_.timing();
  result.published = published_;
  result.staged = staged_;
  result.kpiSeries = kpiSeries_;
  result.kpiNames = kpiNames_;
  result.events = events_;
  result.lastRecordMark = lastRecordMark_;
  result.timedApplied = timedApplied_;
  result.stateRecorder = stateRecorder_;
  return result;
}

void Branch::restore(const BranchSnapshot& snapshot) {
  if (snapshot.models.size() != scheduler_.modelCount()) {
    throw Error("snapshot holds " + std::to_string(snapshot.models.size()) + " models; branch '" + name_ +
                "' runs " + std::to_string(scheduler_.modelCount()));
  }
  for (std::size_t m = 0; m < scheduler_.modelCount(); ++m) scheduler_.model(m).restore(snapshot.models[m]);
  scheduler_.setTiming(snapshot.timing);
  published_ = snapshot.published;
  staged_ = snapshot.staged;
  scheduler_.bind(published_, staged_);
  kpiSeries_ = snapshot.kpiSeries;
  kpiNames_ = snapshot.kpiNames;
  kpiIndex_.clear();
  for (std::uint32_t i = 0; i < kpiNames_.size(); ++i) kpiIndex_.emplace(kpiNames_[i], i);
  events_ = snapshot.events;
  lastRecordMark_ = snapshot.lastRecordMark;
  timedApplied_ = snapshot.timedApplied;
  stateRecorder_ = snapshot.stateRecorder;
}

}  // namespace citytwin::sim
