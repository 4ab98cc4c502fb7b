#include "cityjson_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>

#include "citytwin/core/error.hpp"

namespace citytwin::io {
namespace {

using json = nlohmann::json;
using Point3 = std::array<double, 3>;

// Where a problem lies: the file and the field, for every message of the reader.
struct Place {
  const std::string& source;
  std::string field;
  Place at(const std::string& child) const { return {source, field + child}; }
  Place at(std::size_t index) const { return {source, field + "[" + std::to_string(index) + "]"}; }
  [[noreturn]] void fail(const std::string& problem) const {
    throw Error(source + ": " + (field.empty() ? "" : field + ": ") + problem);
  }
};

const json& member(const json& object, const char* name, const Place& place) {
  const auto it = object.find(name);
  if (it == object.end()) place.fail(std::string("missing '") + name + "'");
  return *it;
}

const json& requireArray(const json& value, const Place& place) {
  if (!value.is_array()) place.fail("expected an array");
  return value;
}

double requireNumber(const json& value, const Place& place) {
  if (!value.is_number()) place.fail("expected a number");
  const double number = value.get<double>();
  if (!std::isfinite(number)) place.fail("expected a finite number");
  return number;
}

struct Surface {
  std::vector<std::vector<Point3>> rings;  // outer first
  std::string semantic;                    // semantic surface type, empty without semantics
};

struct Geometry {
  double lod = 0.0;
  std::string lodText;
  std::vector<Surface> surfaces;
};

class DocumentReader {
 public:
  DocumentReader(const json& document, const std::string& source) : document_(document), source_(source) {}

  CityJsonContent read() {
    const Place root{source_, ""};
    if (!document_.is_object()) root.fail("not a CityJSON document (expected a JSON object)");
    const json& type = member(document_, "type", root);
    if (!type.is_string() || type.get<std::string>() != "CityJSON") {
      root.at("type").fail("expected \"CityJSON\"");
    }
    readTransform();
    readVertices();
    CityJsonContent content;
    content.epsg = readEpsg();
    const Place objectsPlace = root.at("CityObjects");
    const json& objects = member(document_, "CityObjects", root);
    if (!objects.is_object()) objectsPlace.fail("expected an object of city objects by id");
    content.cityObjects = objects.size();
    for (const auto& [id, object] : objects.items()) {
      const Place place = objectsPlace.at("." + id);
      if (!object.is_object()) place.fail("expected a city object");
      const json& objectType = member(object, "type", place);
      if (!objectType.is_string()) place.at(".type").fail("expected a string");
      if (objectType.get<std::string>() != "Building") continue;
      std::vector<Geometry> geometries = geometriesOf(object, place, content);
      if (object.contains("children") && geometries.empty()) {
        // A building described by its parts (BuildingPart children) is the sum of them.
        const json& children = requireArray(object["children"], place.at(".children"));
        for (std::size_t i = 0; i < children.size(); ++i) {
          if (!children[i].is_string()) place.at(".children").at(i).fail("expected a city object id");
          const std::string childId = children[i].get<std::string>();
          const auto child = objects.find(childId);
          if (child == objects.end() || !child->is_object()) {
            place.at(".children").at(i).fail("no city object '" + childId + "'");
          }
          for (Geometry& g : geometriesOf(*child, objectsPlace.at("." + childId), content))
            geometries.push_back(std::move(g));
        }
      }
      CityJsonBuildingRecord record;
      record.id = id;
      if (object.contains("attributes")) {
        if (!object["attributes"].is_object()) place.at(".attributes").fail("expected an object");
        record.attributes = object["attributes"];
      }
      if (!describe(geometries, record)) {
        if (content.buildingsWithoutGeometry++ == 0) content.firstWithoutGeometry = id;
        continue;
      }
      content.buildings.push_back(std::move(record));
    }
    return content;
  }

 private:
  void readTransform() {
    const Place place{source_, "transform"};
    if (!document_.contains("transform")) return;
    const json& transform = document_["transform"];
    if (!transform.is_object()) place.fail("expected an object");
    const json& scale = requireArray(member(transform, "scale", place), place.at(".scale"));
    const json& translate = requireArray(member(transform, "translate", place), place.at(".translate"));
    if (scale.size() != 3) place.at(".scale").fail("expected 3 numbers");
    if (translate.size() != 3) place.at(".translate").fail("expected 3 numbers");
    for (std::size_t i = 0; i < 3; ++i) {
      scale_[i] = requireNumber(scale[i], place.at(".scale").at(i));
      translate_[i] = requireNumber(translate[i], place.at(".translate").at(i));
    }
  }

  void readVertices() {
    const Place place{source_, "vertices"};
    const json& vertices = requireArray(member(document_, "vertices", Place{source_, ""}), place);
    vertices_.reserve(vertices.size());
    for (std::size_t i = 0; i < vertices.size(); ++i) {
      const json& v = vertices[i];
      if (!v.is_array() || v.size() != 3) place.at(i).fail("expected [x, y, z]");
      Point3 p{};
      for (std::size_t axis = 0; axis < 3; ++axis)
        p[axis] = requireNumber(v[axis], place.at(i).at(axis)) * scale_[axis] + translate_[axis];
      vertices_.push_back(p);
    }
  }

  int readEpsg() const {
    const Place place{source_, "metadata.referenceSystem"};
    const auto metadata = document_.find("metadata");
    if (metadata == document_.end() || !metadata->is_object() || !metadata->contains("referenceSystem")) {
      place.fail("missing; the import needs the CRS of the vertices");
    }
    const json& reference = (*metadata)["referenceSystem"];
    if (!reference.is_string())
      place.fail("expected a CRS URL such as https://www.opengis.net/def/crs/EPSG/0/7415");
    const int epsg = epsgOfReferenceSystem(reference.get<std::string>());
    if (epsg <= 0) place.fail("'" + reference.get<std::string>() + "' names no EPSG code");
    return epsg;
  }

  Point3 vertex(const json& index, const Place& place) const {
    if (!index.is_number_integer()) place.fail("expected a vertex index");
    const auto i = index.get<std::int64_t>();
    if (i < 0 || static_cast<std::uint64_t>(i) >= vertices_.size()) {
      place.fail("vertex index " + std::to_string(i) + " out of range (" + std::to_string(vertices_.size()) +
                 " vertices)");
    }
    return vertices_[static_cast<std::size_t>(i)];
  }

  // A surface: [outer ring, holes...], each ring a list of vertex indices.
  Surface surface(const json& rings, const Place& place) const {
    requireArray(rings, place);
    if (rings.empty()) place.fail("a surface needs at least its outer ring");
    Surface result;
    for (std::size_t r = 0; r < rings.size(); ++r) {
      const json& ring = requireArray(rings[r], place.at(r));
      std::vector<Point3> points;
      points.reserve(ring.size());
      for (std::size_t k = 0; k < ring.size(); ++k) points.push_back(vertex(ring[k], place.at(r).at(k)));
      result.rings.push_back(std::move(points));
    }
    return result;
  }

  // The semantic type of surface value `value` (an index into semantics.surfaces, or null).
  static std::string semanticType(const json& semantics, const json& value, const Place& place) {
    if (value.is_null()) return {};
    if (!value.is_number_integer()) place.fail("expected a semantic surface index or null");
    const json& surfaces = semantics["surfaces"];
    const auto i = value.get<std::int64_t>();
    if (i < 0 || static_cast<std::uint64_t>(i) >= surfaces.size()) {
      place.fail("semantic surface index " + std::to_string(i) + " out of range");
    }
    const json& entry = surfaces[static_cast<std::size_t>(i)];
    if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string()) {
      place.fail("semantic surface without a type");
    }
    return entry["type"].get<std::string>();
  }

  // Surfaces of a list of surfaces (`depth` 0), shells (1) or solids (2), with their semantic values
  // nested the same way.
  void collect(const json& boundaries, const json* values, const json& semantics, int depth,
               const Place& place, const Place& valuesPlace, std::vector<Surface>& out) const {
    requireArray(boundaries, place);
    if (values && !values->is_null()) {
      if (!values->is_array() || values->size() != boundaries.size()) {
        valuesPlace.fail("expected as many semantic values as boundaries (" +
                         std::to_string(boundaries.size()) + ")");
      }
    }
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
      const json* value = values && !values->is_null() ? &(*values)[i] : nullptr;
      if (depth == 0) {
        Surface s = surface(boundaries[i], place.at(i));
        if (value) s.semantic = semanticType(semantics, *value, valuesPlace.at(i));
        out.push_back(std::move(s));
      } else {
        collect(boundaries[i], value, semantics, depth - 1, place.at(i), valuesPlace.at(i), out);
      }
    }
  }

  std::vector<Geometry> geometriesOf(const json& object, const Place& place, CityJsonContent& content) const {
    std::vector<Geometry> result;
    if (!object.contains("geometry")) return result;
    const json& geometries = requireArray(object["geometry"], place.at(".geometry"));
    for (std::size_t g = 0; g < geometries.size(); ++g) {
      const Place gPlace = place.at(".geometry").at(g);
      const json& geometry = geometries[g];
      if (!geometry.is_object()) gPlace.fail("expected a geometry object");
      const json& type = member(geometry, "type", gPlace);
      if (!type.is_string()) gPlace.at(".type").fail("expected a string");
      const std::string typeName = type.get<std::string>();
      int depth = -1;
      if (typeName == "MultiSurface" || typeName == "CompositeSurface")
        depth = 0;
      else if (typeName == "Solid")
        depth = 1;
      else if (typeName == "MultiSolid" || typeName == "CompositeSolid")
        depth = 2;
      else if (typeName == "GeometryInstance") {
        ++content.geometryInstances;
        continue;
      } else if (typeName == "MultiPoint" || typeName == "MultiLineString") {
        continue;  // no surfaces, so nothing of a footprint or a height
      } else {
        gPlace.at(".type").fail("unknown geometry type '" + typeName + "'");
      }
      Geometry parsed;
      const json& lod = member(geometry, "lod", gPlace);
      if (lod.is_string())
        parsed.lodText = lod.get<std::string>();
      else if (lod.is_number())
        parsed.lodText = lod.dump();  // CityJSON 1.0 wrote numbers
      else
        gPlace.at(".lod").fail("expected a LoD such as \"1.2\"");
      char* end = nullptr;
      parsed.lod = std::strtod(parsed.lodText.c_str(), &end);
      if (parsed.lodText.empty() || *end != '\0' || !std::isfinite(parsed.lod)) {
        gPlace.at(".lod").fail("'" + parsed.lodText + "' is not a LoD such as \"1.2\"");
      }
      const json* values = nullptr;
      static const json noSemantics = json::object();
      const json* semantics = &noSemantics;
      if (geometry.contains("semantics")) {
        semantics = &geometry["semantics"];
        const Place sPlace = gPlace.at(".semantics");
        if (!semantics->is_object()) sPlace.fail("expected an object");
        requireArray(member(*semantics, "surfaces", sPlace), sPlace.at(".surfaces"));
        values = &member(*semantics, "values", sPlace);
      }
      collect(member(geometry, "boundaries", gPlace), values, *semantics, depth, gPlace.at(".boundaries"),
              gPlace.at(".semantics.values"), parsed.surfaces);
      result.push_back(std::move(parsed));
    }
    return result;
  }

  // The footprint faces and heights of a building from its geometries; false when none has a surface.
  static bool describe(const std::vector<Geometry>& geometries, CityJsonBuildingRecord& record) {
    // Surfaces grouped by LoD, lowest first.
    std::map<double, std::pair<std::string, std::vector<const Surface*>>> byLod;
    for (const Geometry& g : geometries) {
      auto& entry = byLod[g.lod];
      entry.first = g.lodText;
      for (const Surface& s : g.surfaces) entry.second.push_back(&s);
    }
    for (auto it = byLod.begin(); it != byLod.end();) {
      it = it->second.second.empty() ? byLod.erase(it) : std::next(it);
    }
    if (byLod.empty()) return false;
    const auto& [lodText, footprintSurfaces] = byLod.begin()->second;
    record.footprintLod = lodText;
    record.groundFaces = groundFaces(footprintSurfaces);
    if (record.groundFaces.empty()) return false;
    const auto [low, high] = zRange(footprintSurfaces);
    record.groundZ = low;
    for (const auto& [lod, entry] : byLod) {
      const auto [bottom, top] = zRange(entry.second);
      if (top - bottom > 1e-6) {
        record.topZ = top;
        break;
      }
    }
    return true;
  }

  static std::pair<double, double> zRange(const std::vector<const Surface*>& surfaces) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const Surface* s : surfaces)
      for (const auto& ring : s->rings)
        for (const Point3& p : ring) {
          low = std::min(low, p[2]);
          high = std::max(high, p[2]);
        }
    return {low, high};
  }

  // Newell's normal of a ring: its z component over its length says how much the face looks up or down.
  static double verticalShare(const std::vector<Point3>& ring) {
    double nx = 0, ny = 0, nz = 0;
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const Point3& a = ring[i];
      const Point3& b = ring[(i + 1) % ring.size()];
      nx += (a[1] - b[1]) * (a[2] + b[2]);
      ny += (a[2] - b[2]) * (a[0] + b[0]);
      nz += (a[0] - b[0]) * (a[1] + b[1]);
    }
    const double norm = std::sqrt(nx * nx + ny * ny + nz * nz);
    return norm > 0 ? nz / norm : 0.0;
  }

  // The faces whose projection is the footprint: the semantic GroundSurfaces; without semantics, the faces
  // looking down (a solid's floor); without those, the faces lying flat (a MultiSurface footprint or roof).
  static std::vector<GroundFace> groundFaces(const std::vector<const Surface*>& surfaces) {
    std::vector<const Surface*> chosen;
    for (const Surface* s : surfaces)
      if (s->semantic == "GroundSurface") chosen.push_back(s);
    if (chosen.empty()) {
      for (const Surface* s : surfaces)
        if (s->rings[0].size() >= 3 && verticalShare(s->rings[0]) < -0.5) chosen.push_back(s);
    }
    if (chosen.empty()) {
      for (const Surface* s : surfaces)
        if (s->rings[0].size() >= 3 && std::abs(verticalShare(s->rings[0])) > 0.5) chosen.push_back(s);
    }
    std::vector<GroundFace> faces;
    const auto flat = [](const std::vector<Point3>& ring) {
      geo::Ring projected;
      for (const Point3& p : ring) projected.push_back({p[0], p[1]});
      if (projected.size() > 1 && projected.front() == projected.back()) projected.pop_back();
      return projected;
    };
    for (const Surface* s : chosen) {
      GroundFace face;
      face.outer = flat(s->rings[0]);
      if (face.outer.size() < 3) continue;
      for (std::size_t r = 1; r < s->rings.size(); ++r)
        if (geo::Ring hole = flat(s->rings[r]); hole.size() >= 3) face.holes.push_back(std::move(hole));
      faces.push_back(std::move(face));
    }
    return faces;
  }

  const json& document_;
  const std::string& source_;
  Point3 scale_{1.0, 1.0, 1.0};
  Point3 translate_{0.0, 0.0, 0.0};
  std::vector<Point3> vertices_;
};

}  // namespace

int epsgOfReferenceSystem(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  const auto epsg = lower.find("epsg");
  if (epsg == std::string::npos) return 0;
  // The code is the last run of digits: ".../EPSG/0/7415", "urn:ogc:def:crs:EPSG::7415", "EPSG:7415".
  std::size_t end = lower.size();
  while (end > epsg && !std::isdigit(static_cast<unsigned char>(lower[end - 1]))) --end;
  if (end != lower.size() && lower[end] != '/') return 0;
  std::size_t begin = end;
  while (begin > epsg && std::isdigit(static_cast<unsigned char>(lower[begin - 1]))) --begin;
  if (begin == end || end - begin > 6) return 0;
  const char separator = begin > 0 ? lower[begin - 1] : ' ';
  if (separator != '/' && separator != ':') return 0;
  return std::atoi(lower.substr(begin, end - begin).c_str());
}

CityJsonContent readCityJson(std::string_view text, const std::string& source) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    throw Error(source + ": not valid JSON at byte " + std::to_string(e.byte) + " (" + e.what() + ")");
  } catch (const json::exception& e) {  // e.g. a number too large for a double
    throw Error(source + ": not readable JSON (" + e.what() + ")");
  }
  try {
    return DocumentReader(document, source).read();
  } catch (const json::exception& e) {  // a value of a type the checks above did not foresee
    throw Error(source + ": unexpected CityJSON content (" + e.what() + ")");
  }
}

}  // namespace citytwin::io
