#include "citytwin/energy/network_file.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {
namespace {

using Json = nlohmann::json;

// Line and column of a byte offset, for JSON syntax errors.
std::string lineOf(const std::string& text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// Reads the properties of one feature; every message names the file, the feature and the property.
class FeatureReader {
 public:
  FeatureReader(const Json& feature, std::size_t index, const std::string& source)
      : feature_(feature), index_(index), source_(source) {
    if (!feature_.is_object()) fail("", "expected a GeoJSON Feature object");
    const auto p = feature_.find("properties");
    if (p == feature_.end() || !p->is_object())
      fail("properties", "missing object (a feature needs kind and id)");
    properties_ = &*p;
    const auto id = properties_->find("id");
    if (id != properties_->end() && id->is_string()) id_ = id->get<std::string>();
  }

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    std::string where = source_ + ": feature " + std::to_string(index_);
    if (!id_.empty()) where += " (id '" + id_ + "')";
    if (!field.empty()) where += ", field '" + field + "'";
    throw Error(where + ": " + problem);
  }

  bool has(const std::string& key) const {
    const auto it = properties_->find(key);
    return it != properties_->end() && !it->is_null();
  }
  std::string text(const std::string& key) const {
    if (!has(key)) fail(key, "missing (a string)");
    const Json& v = (*properties_)[key];
    if (!v.is_string() || v.get<std::string>().empty()) fail(key, "expected a non-empty string");
    return v.get<std::string>();
  }
  // Numbers may also be written as strings ("0.206"), as CSV-to-GeoJSON conversions often do.
  double number(const std::string& key, double lo, double hi) const {
    if (!has(key)) fail(key, "missing (a number)");
    const Json& v = (*properties_)[key];
    double value = 0;
    if (v.is_number()) {
      value = v.get<double>();
    } else if (v.is_string()) {
      const std::string s = v.get<std::string>();
      std::size_t used = 0;
      try {
        value = std::stod(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used == 0 || used != s.size()) fail(key, "expected a number, got '" + s + "'");
    } else {
      fail(key, "expected a number");
    }
    if (!std::isfinite(value) || value < lo || value > hi)
      fail(key, "expected a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return value;
  }
  double number(const std::string& key, double fallback, double lo, double hi) const {
    return has(key) ? number(key, lo, hi) : fallback;
  }
  void rejectUnknown(const std::set<std::string>& known) const {
    for (const auto& [key, value] : properties_->items())
      if (!known.count(key)) fail(key, "unknown property");
  }

  const Json* geometry(const std::string& type) const {
    const auto g = feature_.find("geometry");
    if (g == feature_.end() || g->is_null()) return nullptr;
    if (!g->is_object() || !g->contains("type") || (*g)["type"] != type || !g->contains("coordinates"))
      fail("geometry", "expected a " + type + " geometry or null");
    return &(*g)["coordinates"];
  }
  geo::Vec2 point() const {
    const Json* c = geometry("Point");
    if (!c) fail("geometry", "missing: a " + std::string("bus needs a Point geometry"));
    return position(*c);
  }
  geo::Vec2 position(const Json& c) const {
    if (!c.is_array() || c.size() < 2 || !c[0].is_number() || !c[1].is_number())
      fail("geometry", "expected coordinates [x, y] in metres");
    return {c[0].get<double>(), c[1].get<double>()};
  }

 private:
  const Json& feature_;
  const Json* properties_ = nullptr;
  std::size_t index_;
  const std::string& source_;
  std::string id_;
};

}  // namespace

NetworkFile parseNetworkFile(const std::string& text, const std::string& source) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw Error(source + ":" + lineOf(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON: " + e.what());
  }
  if (!doc.is_object() || !doc.contains("type") || doc["type"] != "FeatureCollection" ||
      !doc.contains("features") || !doc["features"].is_array())
    throw Error(source + ": expected a GeoJSON FeatureCollection with a 'features' array");

  NetworkFile out;
  out.source = source;
  const Json& features = doc["features"];
  std::map<std::string, std::size_t> busIndex;
  std::map<std::string, std::size_t> featureOfId;
  // Buses first, so that lines and services may refer to buses listed after them.
  for (std::size_t i = 0; i < features.size(); ++i) {
    const FeatureReader f(features[i], i, source);
    const std::string kind = f.text("kind");
    if (kind != "substation" && kind != "bus" && kind != "line" && kind != "service")
      f.fail("kind", "expected \"substation\", \"bus\", \"line\" or \"service\", got \"" + kind + "\"");
    if (kind == "service") continue;
    const std::string id = f.text("id");
    if (const auto seen = featureOfId.find(id); seen != featureOfId.end())
      f.fail("id", "the id is already used by feature " + std::to_string(seen->second));
    featureOfId[id] = i;
    if (kind == "line") continue;
    NetworkBus bus;
    bus.id = id;
    bus.feature = i;
    bus.substation = kind == "substation";
    bus.position = f.point();
    bus.kv = f.number("kv", 1e-3, 1000);
    if (bus.substation) {
      f.rejectUnknown({"kind", "id", "name", "kv", "rated_mva", "flood_threshold_m"});
      bus.ratedMva = f.number("rated_mva", 1.0, 1e-3, 1e4);
      bus.floodThresholdM = f.number("flood_threshold_m", -1.0, 0, 100);
    } else {
      f.rejectUnknown({"kind", "id", "name", "kv"});
    }
    busIndex[id] = out.buses.size();
    out.buses.push_back(std::move(bus));
  }

  std::set<std::string> servedBuildings;
  for (std::size_t i = 0; i < features.size(); ++i) {
    const FeatureReader f(features[i], i, source);
    const std::string kind = f.text("kind");
    const auto busOf = [&](const std::string& key) {
      const std::string id = f.text(key);
      const auto it = busIndex.find(id);
      if (it == busIndex.end())
        f.fail(key, "unknown bus '" + id + "' (no substation or bus feature has this id)");
      return it->second;
    };
    if (kind == "line") {
      f.rejectUnknown({"kind", "id", "name", "from", "to", "length_km", "r_ohm_per_km", "x_ohm_per_km",
                       "r_ohm", "x_ohm", "rated_amps"});
      NetworkLine line;
      line.id = f.text("id");
      line.feature = i;
      line.from = busOf("from");
      line.to = busOf("to");
      if (line.from == line.to) f.fail("to", "a line must join two different buses");
      const NetworkBus& a = out.buses[line.from];
      const NetworkBus& b = out.buses[line.to];
      if (std::abs(a.kv - b.kv) > 1e-9 * a.kv)
        f.fail("to", "joins buses of " + std::to_string(a.kv) + " kV and " + std::to_string(b.kv) +
                         " kV (only the substations' transformers change voltage)");
      const bool perKm = f.has("r_ohm_per_km") || f.has("x_ohm_per_km");
      const bool total = f.has("r_ohm") || f.has("x_ohm");
      if (perKm && total)
        f.fail("r_ohm", "give either r_ohm_per_km and x_ohm_per_km with a length, or r_ohm and x_ohm");
      if (total) {
        line.rOhm = f.number("r_ohm", 0, 1e4);
        line.xOhm = f.number("x_ohm", 0, 1e4);
      } else {
        double km = 0;
        if (f.has("length_km")) {
          km = f.number("length_km", 0, 1e3);
        } else if (const Json* coordinates = f.geometry("LineString")) {
          if (!coordinates->is_array() || coordinates->size() < 2)
            f.fail("geometry", "a LineString needs at least two positions");
          for (std::size_t k = 1; k < coordinates->size(); ++k)
            km += geo::distance(f.position((*coordinates)[k - 1]), f.position((*coordinates)[k])) * 1e-3;
        } else {
          f.fail("length_km", "missing (a number, or a LineString geometry to measure)");
        }
        line.rOhm = f.number("r_ohm_per_km", 0, 1e3) * km;
        line.xOhm = f.number("x_ohm_per_km", 0, 1e3) * km;
      }
      if (line.rOhm == 0 && line.xOhm == 0) f.fail("r_ohm_per_km", "the line has zero impedance");
      line.ratedAmps = f.number("rated_amps", 0.0, 0, 1e5);
      out.lines.push_back(std::move(line));
    } else if (kind == "service") {
      f.rejectUnknown({"kind", "id", "name", "building", "bus"});
      NetworkService service;
      service.building = f.text("building");
      service.bus = busOf("bus");
      service.feature = i;
      if (!servedBuildings.insert(service.building).second)
        f.fail("building", "building '" + service.building + "' already has a service connection");
      out.services.push_back(std::move(service));
    }
  }
  if (std::none_of(out.buses.begin(), out.buses.end(), [](const NetworkBus& b) { return b.substation; }))
    throw Error(source + ": the network has no substation feature");
  return out;
}

NetworkFile readNetworkFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open the network file");
  std::ostringstream text;
  text << in.rdbuf();
  return parseNetworkFile(text.str(), file.string());
}

}  // namespace citytwin::energy
