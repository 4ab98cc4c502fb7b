#include "citytwin/energy/building_spec.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "citytwin/core/error.hpp"
#include "citytwin/core/value.hpp"
#include "citytwin/scenario/toml_input.hpp"

namespace citytwin::energy {
namespace {

// Bounded numbers and nested tables of a building spec, each error naming the dotted key and its line.
class SpecReader {
 public:
  explicit SpecReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const Value* node, const std::string& key, const std::string& problem) const {
    const std::size_t line = node ? node->line() : 0;
    throw InputError({source_, line, key}, problem);
  }

  void rejectUnknown(const Value& table, const std::string& path, const std::set<std::string>& known) const {
    for (std::size_t i = 0; i < table.keys().size(); ++i)
      if (!known.count(table.keys()[i])) fail(&table.items()[i], path + "." + table.keys()[i], "unknown key");
  }

  std::optional<double> optionalNumber(const Value& t, const std::string& path, const std::string& key) const {
    const Value* node = t.find(key);
    if (!node) return std::nullopt;
    if (const auto v = node->toNumber()) return *v;
    fail(node, path + "." + key, "expected a number");
  }

  double number(const Value& t, const std::string& path, const std::string& key, double lo, double hi) const {
    const auto v = optionalNumber(t, path, key);
    if (!v) fail(&t, path + "." + key, "missing key (a number)");
    return check(t, path, key, *v, lo, hi);
  }

  double number(const Value& t, const std::string& path, const std::string& key, double lo, double hi,
                double fallback) const {
    const auto v = optionalNumber(t, path, key);
    return v ? check(t, path, key, *v, lo, hi) : fallback;
  }

  std::string text(const Value& t, const std::string& path, const std::string& key, std::string fallback) const {
    const Value* node = t.find(key);
    if (!node) return fallback;
    if (const auto v = node->toText()) return *v;
    fail(node, path + "." + key, "expected a string");
  }

  const Value* table(const Value& t, const std::string& path, const std::string& key) const {
    const Value* node = t.find(key);
    if (!node) return nullptr;
    if (node->isTable()) return node;
    fail(node, path + "." + key, "expected a table");
  }

  std::vector<const Value*> tables(const Value& t, const std::string& path, const std::string& key) const {
    std::vector<const Value*> out;
    const Value* node = t.find(key);
    if (!node) return out;
    if (!node->isArray()) fail(node, path + "." + key, "expected an array of tables ([[" + path + "." + key + "]])");
    for (const Value& element : node->items()) {
      if (!element.isTable()) fail(&element, path + "." + key, "expected a table");
      out.push_back(&element);
    }
    return out;
  }

 private:
  double check(const Value& t, const std::string& path, const std::string& key, double v, double lo,
               double hi) const {
    if (!(v >= lo && v <= hi))
      fail(t.find(key), path + "." + key,
           "value " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }

  std::string source_;
};

}  // namespace

BuildingSpec parseBuildingSpec(const std::string& content, const std::string& sourceName) {
  const Value root = scenario::parseToml(content, sourceName, "");
  SpecReader r(sourceName);
  const Value* b = r.table(root, "", "building");
  if (!b) throw InputError({sourceName, 0, "building"}, "missing [building] table");
  const std::string p = "building";
  r.rejectUnknown(*b, p,
                  {"name", "floor_area_m2", "volume_m3", "air_changes_per_hour", "internal_gains_w",
                   "surface_heat_transfer_w_per_m2k", "heating_setpoint_c", "cooling_setpoint_c", "heating_capacity_w",
                   "cooling_capacity_w", "mass", "opaque", "window", "solar", "system"});
  BuildingSpec s;
  s.source = sourceName;
  s.name = r.text(*b, p, "name", "building");
  s.floorAreaM2 = r.number(*b, p, "floor_area_m2", 1e-3, 1e8);
  s.volumeM3 = r.number(*b, p, "volume_m3", 1e-3, 1e9);
  s.airChangesPerHour = r.number(*b, p, "air_changes_per_hour", 1e-4, 100);
  s.internalGainsW = r.number(*b, p, "internal_gains_w", 0, 1e9, 0.0);
  s.surfaceHeatTransfer = r.number(*b, p, "surface_heat_transfer_w_per_m2k", 0.1, 100, 3.45);
  s.heatingSetpointC = r.optionalNumber(*b, p, "heating_setpoint_c");
  s.coolingSetpointC = r.optionalNumber(*b, p, "cooling_setpoint_c");
  if (s.heatingSetpointC && s.coolingSetpointC && *s.heatingSetpointC > *s.coolingSetpointC)
    r.fail(b->find("cooling_setpoint_c"), p + ".cooling_setpoint_c", "cooling setpoint below the heating setpoint");
  s.maxHeatingW = r.number(*b, p, "heating_capacity_w", 0, 1e300, 1e300);
  s.maxCoolingW = r.number(*b, p, "cooling_capacity_w", 0, 1e300, 1e300);

  if (const Value* mass = r.table(*b, p, "mass")) {
    r.rejectUnknown(*mass, p + ".mass", {"heat_capacity_j_per_m2k", "area_factor"});
    s.heatCapacityPerFloorArea = r.number(*mass, p + ".mass", "heat_capacity_j_per_m2k", 1, 1e8);
    s.massAreaFactor = r.number(*mass, p + ".mass", "area_factor", 0.01, 4.4);
  }
  for (const Value* t : r.tables(*b, p, "opaque")) {
    const std::string q = p + ".opaque";
    r.rejectUnknown(*t, q,
                    {"name", "area_m2", "u_w_per_m2k", "azimuth_deg", "tilt_deg", "adjacent", "temperature_factor",
                     "solar_absorptance", "emissivity"});
    OpaqueElement o;
    o.name = r.text(*t, q, "name", "opaque");
    o.areaM2 = r.number(*t, q, "area_m2", 0, 1e8);
    o.u = r.number(*t, q, "u_w_per_m2k", 0, 100);
    o.azimuthDeg = r.number(*t, q, "azimuth_deg", -360, 360, 0.0);
    o.tiltDeg = r.number(*t, q, "tilt_deg", 0, 180);
    const std::string adjacent = r.text(*t, q, "adjacent", "outdoor");
    if (adjacent != "outdoor" && adjacent != "ground")
      r.fail(t->find("adjacent"), q + ".adjacent", "expected \"outdoor\" or \"ground\"");
    o.towardsGround = adjacent == "ground";
    o.temperatureFactor = r.number(*t, q, "temperature_factor", 0, 1, 1.0);
    o.solarAbsorptance = r.number(*t, q, "solar_absorptance", 0, 1, 0.6);
    o.emissivity = r.number(*t, q, "emissivity", 0, 1, 0.9);
    s.opaque.push_back(o);
  }
  for (const Value* t : r.tables(*b, p, "window")) {
    const std::string q = p + ".window";
    r.rejectUnknown(*t, q,
                    {"name", "area_m2", "u_w_per_m2k", "g_value", "incidence_angle_coefficients", "frame_fraction",
                     "shading_factor", "azimuth_deg", "tilt_deg"});
    WindowElement w;
    w.name = r.text(*t, q, "name", "window");
    w.areaM2 = r.number(*t, q, "area_m2", 0, 1e8);
    w.u = r.number(*t, q, "u_w_per_m2k", 0, 100);
    w.gValue = r.number(*t, q, "g_value", 0, 1);
    w.frameFraction = r.number(*t, q, "frame_fraction", 0, 1, 0.0);
    w.shadingFactor = r.number(*t, q, "shading_factor", 0, 1, 1.0);
    w.azimuthDeg = r.number(*t, q, "azimuth_deg", -360, 360, 180.0);
    w.tiltDeg = r.number(*t, q, "tilt_deg", 0, 180, 90.0);
    if (const Value* node = t->find("incidence_angle_coefficients")) {
      if (!node->isArray() || node->items().empty()) r.fail(node, q + ".incidence_angle_coefficients", "expected a non-empty array of numbers");
      w.incidenceCoefficients.clear();
      for (const Value& c : node->items()) {
        const auto v = c.toNumber();
        if (!v) r.fail(&c, q + ".incidence_angle_coefficients", "expected numbers");
        w.incidenceCoefficients.push_back(*v);
      }
      // The polynomial is in the incidence angle: its value at normal incidence is the first coefficient.
      if (!(w.incidenceCoefficients.front() > 0))
        r.fail(node, q + ".incidence_angle_coefficients",
               "the first coefficient (normal incidence) must be positive");
    }
    s.windows.push_back(w);
  }
  if (s.opaque.empty() && s.windows.empty())
    throw InputError({sourceName, b->line(), "building.opaque"},
                     "the building has no [[building.opaque]] or [[building.window]] elements");
  if (const Value* solar = r.table(*b, p, "solar")) {
    const std::string q = p + ".solar";
    r.rejectUnknown(*solar, q,
                    {"sky_model", "ground_reflectance", "external_surface_resistance_m2k_per_w",
                     "sky_temperature_difference_k", "window_correction_factor"});
    const std::string model = r.text(*solar, q, "sky_model", "perez");
    try {
      s.skyModel = skyDiffuseModelFromString(model);
    } catch (const Error& e) {
      r.fail(solar->find("sky_model"), q + ".sky_model", e.what());
    }
    s.groundReflectance = r.number(*solar, q, "ground_reflectance", 0, 1, 0.2);
    s.externalSurfaceResistance = r.number(*solar, q, "external_surface_resistance_m2k_per_w", 0, 1, 0.04);
    s.skyTemperatureDifferenceK = r.number(*solar, q, "sky_temperature_difference_k", 0, 50, 11.0);
    s.windowCorrectionFactor = r.number(*solar, q, "window_correction_factor", 0, 1, 1.0);
  }
  if (const Value* sys = r.table(*b, p, "system")) {
    const std::string q = p + ".system";
    r.rejectUnknown(*sys, q,
                    {"kind", "boiler_efficiency", "heat_pump_supply_temperature_c", "heat_pump_carnot_efficiency",
                     "cooling_eer"});
    const std::string kind = r.text(*sys, q, "kind", "ideal");
    if (kind == "ideal") s.system.kind = HeatingSystemKind::Ideal;
    else if (kind == "boiler") s.system.kind = HeatingSystemKind::Boiler;
    else if (kind == "heat_pump") s.system.kind = HeatingSystemKind::HeatPump;
    else r.fail(sys->find("kind"), q + ".kind", "expected \"ideal\", \"boiler\" or \"heat_pump\"");
    s.system.boilerEfficiency = r.number(*sys, q, "boiler_efficiency", 0.1, 1.2, 0.9);
    s.system.heatPumpSupplyC = r.number(*sys, q, "heat_pump_supply_temperature_c", 20, 80, 35.0);
    s.system.heatPumpCarnotEfficiency = r.number(*sys, q, "heat_pump_carnot_efficiency", 0.1, 0.9, 0.45);
    s.system.coolingEer = r.number(*sys, q, "cooling_eer", 0.5, 20, 3.0);
  }
  return s;
}

BuildingSpec readBuildingSpec(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open building spec");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parseBuildingSpec(buffer.str(), path.string());
}

}  // namespace citytwin::energy
