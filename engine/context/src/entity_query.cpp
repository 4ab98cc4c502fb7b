#include "citytwin/context/entity_query.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>
#include <variant>

#include "citytwin/core/date_time.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/context_error.hpp"
#include "citytwin/geo/geometry.hpp"

namespace citytwin::context {

using nlohmann::json;

struct QueryExpression::Node {
  enum class Kind { And, Or, Comparison };
  Kind kind = Kind::Comparison;
  std::vector<std::shared_ptr<const Node>> children;
  // Comparison
  std::string attribute;           // expanded
  std::vector<std::string> trail;  // sub-attribute / metadata names after '.'
  std::vector<std::string> member; // compound value path inside [...]
  std::string op;                  // empty: existence
  std::vector<json> values;        // one, or a list
  std::optional<std::pair<json, json>> range;
};

namespace {

constexpr std::size_t kMaxQueryLength = 4096;
constexpr int kMaxDepth = 32;

class QueryParser {
 public:
  QueryParser(const std::string& text, const JsonLdContext& context) : text_(text), context_(context) {}

  std::shared_ptr<const QueryExpression::Node> parse() {
    auto node = parseOr(0);
    if (pos_ != text_.size()) fail("unexpected '" + std::string(1, text_[pos_]) + "'");
    return node;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ContextError(ErrorKind::BadRequestData, "q: " + what + " at position " + std::to_string(pos_));
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }

  std::shared_ptr<const QueryExpression::Node> parseOr(int depth) {
    auto first = parseAnd(depth);
    if (!peek('|')) return first;
    auto node = std::make_shared<QueryExpression::Node>();
    node->kind = QueryExpression::Node::Kind::Or;
    node->children.push_back(first);
    while (peek('|')) {
      ++pos_;
      node->children.push_back(parseAnd(depth));
    }
    return node;
  }

  std::shared_ptr<const QueryExpression::Node> parseAnd(int depth) {
    auto first = parseTerm(depth);
    if (!peek(';')) return first;
    auto node = std::make_shared<QueryExpression::Node>();
    node->kind = QueryExpression::Node::Kind::And;
    node->children.push_back(first);
    while (peek(';')) {
      ++pos_;
      node->children.push_back(parseTerm(depth));
    }
    return node;
  }

  std::shared_ptr<const QueryExpression::Node> parseTerm(int depth) {
    if (depth > kMaxDepth) throw ContextError(ErrorKind::TooComplexQuery, "q nests too deeply");
    if (peek('(')) {
      ++pos_;
      auto inner = parseOr(depth + 1);
      if (!peek(')')) fail("missing ')'");
      ++pos_;
      return inner;
    }
    auto node = std::make_shared<QueryExpression::Node>();
    std::string path = readWhile([](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '/' || c == '#' || c == '-' || c == '.'; });
    if (path.empty()) fail("expected an attribute name");
    std::size_t dot = path.find('.');
    node->attribute = context_.expand(path.substr(0, dot));
    while (dot != std::string::npos) {
      const std::size_t next = path.find('.', dot + 1);
      const std::string part = path.substr(dot + 1, next == std::string::npos ? std::string::npos : next - dot - 1);
      if (part.empty()) fail("empty attribute path element");
      node->trail.push_back(part);
      dot = next;
    }
    if (peek('[')) {
      ++pos_;
      std::string inner = readWhile([](char c) { return c != ']'; });
      if (!peek(']')) fail("missing ']'");
      ++pos_;
      std::size_t start = 0;
      while (start <= inner.size()) {
        const std::size_t cut = inner.find('.', start);
        node->member.push_back(inner.substr(start, cut == std::string::npos ? std::string::npos : cut - start));
        if (cut == std::string::npos) break;
        start = cut + 1;
      }
    }
    static const char* const ops[] = {"==", "!=", ">=", "<=", "!~=", "~=", ">", "<"};
    for (const char* op : ops) {
      if (text_.compare(pos_, std::strlen(op), op) == 0) {
        node->op = op;
        pos_ += std::strlen(op);
        break;
      }
    }
    if (node->op.empty()) return node;  // existence test
    readValues(*node);
    if (node->op == "~=" || node->op == "!~=") {
      if (node->values.size() != 1 || !node->values[0].is_string()) fail("~= needs one pattern");
      try {
        std::regex check(node->values[0].get<std::string>());
      } catch (const std::regex_error&) {
        fail("invalid pattern");
      }
    }
    return node;
  }

  template <typename Predicate>
  std::string readWhile(Predicate predicate) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && predicate(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  json readValue() {
    if (peek('"')) {
      ++pos_;
      std::string s;
      while (pos_ < text_.size() && text_[pos_] != '"') {
        if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
        s += text_[pos_++];
      }
      if (!peek('"')) fail("unterminated string");
      ++pos_;
      return s;
    }
    std::string token = readWhile([](char c) { return c != ';' && c != '|' && c != ')' && c != ','; });
    if (token.empty()) fail("expected a value");
    if (token == "true") return true;
    if (token == "false") return false;
    char* end = nullptr;
    const double number = std::strtod(token.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(number)) return number;
    return token;  // a date-time, a URI or an unquoted word
  }

  void readValues(QueryExpression::Node& node) {
    json first = readValue();
    if (first.is_string()) {
      const std::string s = first.get<std::string>();
      const auto dots = s.find("..");
      if (dots != std::string::npos && !peek(',')) {
        const auto convert = [](const std::string& part) -> json {
          char* end = nullptr;
          const double number = std::strtod(part.c_str(), &end);
          if (!part.empty() && end && *end == '\0') return number;
          return part;
        };
        node.range = std::make_pair(convert(s.substr(0, dots)), convert(s.substr(dots + 2)));
        return;
      }
    }
    node.values.push_back(first);
    while (peek(',')) {
      ++pos_;
      node.values.push_back(readValue());
    }
  }

  const std::string& text_;
  const JsonLdContext& context_;
  std::size_t pos_ = 0;
};

// Compares an attribute value with a query value: numbers numerically, date-times by instant, else text.
std::optional<int> compareValues(const json& actual, const json& wanted) {
  if (actual.is_number() && wanted.is_number()) {
    const double a = actual.get<double>(), b = wanted.get<double>();
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  if (actual.is_boolean() && wanted.is_boolean()) return actual.get<bool>() == wanted.get<bool>() ? 0 : 1;
  if (actual.is_string() && wanted.is_string()) {
    const auto& a = actual.get_ref<const std::string&>();
    const auto& b = wanted.get_ref<const std::string&>();
    const auto ta = parseDateTime(a), tb = parseDateTime(b);
    if (ta && tb) return *ta < *tb ? -1 : (*ta > *tb ? 1 : 0);
    return a.compare(b) < 0 ? -1 : (a.compare(b) > 0 ? 1 : 0);
  }
  if (actual.is_object() && actual.contains("@value")) return compareValues(actual["@value"], wanted);
  return std::nullopt;
}

bool compareOne(const QueryExpression::Node& node, const json& actual) {
  if (actual.is_array()) {
    for (const auto& element : actual) {
      if (compareOne(node, element)) return true;
    }
    return false;
  }
  if (node.op == "~=" || node.op == "!~=") {
    const bool found = actual.is_string() &&
                       std::regex_search(actual.get<std::string>(), std::regex(node.values[0].get<std::string>()));
    return node.op == "~=" ? found : !found;
  }
  if (node.range) {
    const auto low = compareValues(actual, node.range->first);
    const auto high = compareValues(actual, node.range->second);
    const bool inside = low && high && *low >= 0 && *high <= 0;
    return node.op == "==" ? inside : (node.op == "!=" ? !inside : false);
  }
  if (node.op == "==" || node.op == "!=") {
    bool any = false;
    for (const auto& wanted : node.values) {
      const auto c = compareValues(actual, wanted);
      if (c && *c == 0) any = true;
    }
    return node.op == "==" ? any : !any;
  }
  const auto c = compareValues(actual, node.values.front());
  if (!c) return false;
  if (node.op == ">") return *c > 0;
  if (node.op == ">=") return *c >= 0;
  if (node.op == "<") return *c < 0;
  return *c <= 0;
}

std::optional<json> resolvePath(const QueryExpression::Node& node, const Entity& entity) {
  const Attribute* attribute = entity.find(node.attribute);
  if (!attribute) return std::nullopt;
  json current = attribute->value;
  if (!node.trail.empty()) {
    const std::string& first = node.trail.front();
    if (first == "observedAt") {
      if (attribute->observedAt.empty()) return std::nullopt;
      current = attribute->observedAt;
    } else if (first == "unitCode") {
      if (attribute->unitCode.empty()) return std::nullopt;
      current = attribute->unitCode;
    } else if (first == "datasetId") {
      current = attribute->datasetId;
    } else {
      // A sub-attribute: stored with expanded names; match by IRI suffix or the term itself.
      const json* found = nullptr;
      for (const auto& [iri, sub] : attribute->subAttributes.items()) {
        if (iri == first || iri.ends_with("/" + first) || iri.ends_with("#" + first)) found = &sub;
      }
      if (!found) return std::nullopt;
      current = found->contains("value") ? (*found)["value"] : found->value("object", json());
    }
    // Further trail elements dig into the value (compound members).
    for (std::size_t i = 1; i < node.trail.size(); ++i) {
      if (!current.is_object() || !current.contains(node.trail[i])) return std::nullopt;
      current = current[node.trail[i]];
    }
  }
  for (const auto& key : node.member) {
    if (!current.is_object() || !current.contains(key)) return std::nullopt;
    current = current[key];
  }
  return current;
}

bool evaluate(const QueryExpression::Node& node, const Entity& entity) {
  switch (node.kind) {
    case QueryExpression::Node::Kind::And:
      for (const auto& child : node.children) {
        if (!evaluate(*child, entity)) return false;
      }
      return true;
    case QueryExpression::Node::Kind::Or:
      for (const auto& child : node.children) {
        if (evaluate(*child, entity)) return true;
      }
      return false;
    case QueryExpression::Node::Kind::Comparison: break;
  }
  const auto value = resolvePath(node, entity);
  if (!value) return false;
  if (node.op.empty()) return true;
  return compareOne(node, *value);
}

}  // namespace

QueryExpression QueryExpression::parse(const std::string& text, const JsonLdContext& context) {
  if (text.empty()) throw ContextError(ErrorKind::BadRequestData, "q is empty");
  if (text.size() > kMaxQueryLength) throw ContextError(ErrorKind::TooComplexQuery, "q is too long");
  QueryExpression expression;
  expression.root_ = QueryParser(text, context).parse();
  return expression;
}

bool QueryExpression::matches(const Entity& entity) const { return evaluate(*root_, entity); }

// ---- geo-queries ----

namespace {

// Equirectangular projection around a reference latitude: metres east and north.
struct LocalFrame {
  double lon0, lat0, cosLat;
  geo::Vec2 project(const json& position) const {
    const double lon = position[0].get<double>(), lat = position[1].get<double>();
    constexpr double kMetresPerDegree = 111319.49;
    return {(lon - lon0) * kMetresPerDegree * cosLat, (lat - lat0) * kMetresPerDegree};
  }
};

// A GeoJSON geometry in the local frame, as the parts the relations test.
struct Shape {
  std::vector<geo::Vec2> points;  // every vertex
  std::vector<std::pair<geo::Vec2, geo::Vec2>> segments;
  geo::MultiPolygon polygons;
};

void collect(const json& geometry, const LocalFrame& frame, Shape& shape) {
  const std::string type = geometry["type"].get<std::string>();
  const auto addLine = [&](const json& line, bool closed) {
    geo::Ring ring;
    for (const auto& p : line) ring.push_back(frame.project(p));
    for (std::size_t i = 0; i + 1 < ring.size(); ++i) shape.segments.emplace_back(ring[i], ring[i + 1]);
    if (closed && ring.size() > 2) shape.segments.emplace_back(ring.back(), ring.front());
    shape.points.insert(shape.points.end(), ring.begin(), ring.end());
    return ring;
  };
  const auto addPolygon = [&](const json& rings) {
    if (rings.empty()) return;  // no outer ring: contains nothing
    geo::Polygon polygon;
    for (std::size_t r = 0; r < rings.size(); ++r) {
      geo::Ring ring = addLine(rings[r], true);
      if (r == 0) {
        polygon.outer = std::move(ring);
      } else {
        polygon.holes.push_back(std::move(ring));
      }
    }
    shape.polygons.push_back(std::move(polygon));
  };
  const json& c = geometry.contains("coordinates") ? geometry["coordinates"] : json();
  if (type == "Point") {
    shape.points.push_back(frame.project(c));
  } else if (type == "MultiPoint") {
    for (const auto& p : c) shape.points.push_back(frame.project(p));
  } else if (type == "LineString") {
    addLine(c, false);
  } else if (type == "MultiLineString") {
    for (const auto& l : c) addLine(l, false);
  } else if (type == "Polygon") {
    addPolygon(c);
  } else if (type == "MultiPolygon") {
    for (const auto& p : c) addPolygon(p);
  } else if (type == "GeometryCollection") {
    for (const auto& g : geometry["geometries"]) collect(g, frame, shape);
  }
}

double shapeDistance(const Shape& a, const Shape& b) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : a.points) {
    if (geo::contains(b.polygons, p)) return 0.0;
    for (const auto& q : b.points) best = std::min(best, geo::distance(p, q));
    for (const auto& s : b.segments) best = std::min(best, geo::distanceToSegment(p, s.first, s.second));
  }
  for (const auto& p : b.points) {
    if (geo::contains(a.polygons, p)) return 0.0;
    for (const auto& s : a.segments) best = std::min(best, geo::distanceToSegment(p, s.first, s.second));
  }
  for (const auto& s : a.segments) {
    for (const auto& t : b.segments) {
      if (geo::segmentsCross(s.first, s.second, t.first, t.second)) return 0.0;
    }
  }
  return best;
}

}  // namespace

GeoQuery GeoQuery::parse(const std::string& georel, const std::string& geometryType, const std::string& coordinates,
                         const std::string& geoPropertyIri) {
  const auto bad = [](const std::string& what) { return ContextError(ErrorKind::BadRequestData, what); };
  if (geometryType.empty() || coordinates.empty()) throw bad("a geo-query needs georel, geometry and coordinates");
  GeoQuery query;
  query.geoProperty = geoPropertyIri;
  const auto semicolon = georel.find(';');
  const std::string relation = georel.substr(0, semicolon);
  if (relation == "near") {
    query.relation = Relation::Near;
    if (semicolon == std::string::npos) throw bad("georel=near needs ;maxDistance==<m> or ;minDistance==<m>");
    const std::string modifier = georel.substr(semicolon + 1);
    const auto eq = modifier.find("==");
    if (eq == std::string::npos) throw bad("georel modifier must be maxDistance==<m> or minDistance==<m>");
    const std::string key = modifier.substr(0, eq);
    char* end = nullptr;
    const std::string number = modifier.substr(eq + 2);
    const double distance = std::strtod(number.c_str(), &end);
    if (number.empty() || !end || *end != '\0' || !std::isfinite(distance) || distance <= 0) {
      throw bad("georel distance must be a positive number of metres, got '" + number + "'");
    }
    if (key == "maxDistance") {
      query.maxDistanceM = distance;
    } else if (key == "minDistance") {
      query.minDistanceM = distance;
    } else {
      throw bad("unknown georel modifier '" + key + "'");
    }
  } else if (relation == "within") {
    query.relation = Relation::Within;
  } else if (relation == "intersects") {
    query.relation = Relation::Intersects;
  } else if (relation == "disjoint") {
    query.relation = Relation::Disjoint;
  } else if (relation == "equals") {
    query.relation = Relation::Equals;
  } else {
    throw bad("unknown georel '" + relation + "'");
  }
  json parsedCoordinates;
  try {
    parsedCoordinates = json::parse(coordinates);
  } catch (const json::exception&) {
    throw bad("coordinates are not a JSON array");
  }
  query.geometry = json{{"type", geometryType}, {"coordinates", parsedCoordinates}};
  if (!isGeoJsonGeometry(query.geometry)) throw bad("geometry/coordinates do not form a valid " + geometryType);
  if (query.relation == Relation::Near && geometryType != "Point") throw bad("georel=near needs a Point geometry");
  if (query.relation == Relation::Within && geometryType != "Polygon" && geometryType != "MultiPolygon") {
    throw bad("georel=within needs a Polygon geometry");
  }
  return query;
}

bool GeoQuery::matches(const Entity& entity) const {
  const Attribute* attribute = entity.find(geoProperty);
  if (!attribute || attribute->kind != AttributeKind::GeoProperty) return false;
  json reference = geometry;
  while (reference.contains("coordinates") && reference["coordinates"].is_array() &&
         reference["coordinates"][0].is_array()) {
    reference = json{{"coordinates", reference["coordinates"][0]}};
  }
  const json& origin = reference["coordinates"];
  LocalFrame frame{origin[0].get<double>(), origin[1].get<double>(), 0.0};
  frame.cosLat = std::cos(frame.lat0 * M_PI / 180.0);
  Shape query, target;
  collect(geometry, frame, query);
  collect(attribute->value, frame, target);
  if (target.points.empty()) return false;
  switch (relation) {
    case Relation::Near: {
      const double d = shapeDistance(query, target);
      if (maxDistanceM && d > *maxDistanceM) return false;
      if (minDistanceM && d < *minDistanceM) return false;
      return true;
    }
    case Relation::Within:
      for (const auto& p : target.points) {
        if (!geo::contains(query.polygons, p)) return false;
      }
      return true;
    case Relation::Intersects: return shapeDistance(query, target) <= 1e-6;
    case Relation::Disjoint: return shapeDistance(query, target) > 1e-6;
    case Relation::Equals: return attribute->value == geometry;
  }
  return false;
}

// ---- entity queries ----

IdPattern::IdPattern(std::string text) : text_(std::move(text)) {
  try {
    regex_ = std::regex(text_);
  } catch (const std::regex_error&) {
    throw ContextError(ErrorKind::BadRequestData, "idPattern is not a valid regular expression");
  }
}

bool IdPattern::matches(const std::string& id) const { return std::regex_search(id, regex_); }

bool EntityQuery::hasFilter() const {
  return !types.empty() || !ids.empty() || idPattern || q || geo || !attributes.empty();
}

void EntityQuery::requireFilter() const {
  if (!hasFilter()) {
    throw ContextError(ErrorKind::BadRequestData, "a query needs at least one of type, id, idPattern, attrs, q or georel");
  }
}

bool EntityQuery::matches(const Entity& entity) const {
  if (!types.empty() && std::none_of(types.begin(), types.end(), [&](const std::string& t) { return entity.hasType(t); })) {
    return false;
  }
  if (!ids.empty() && std::find(ids.begin(), ids.end(), entity.id) == ids.end()) return false;
  if (idPattern && !idPattern->matches(entity.id)) return false;
  if (!attributes.empty() && std::none_of(attributes.begin(), attributes.end(),
                                          [&](const std::string& a) { return entity.attributes.contains(a); })) {
    return false;
  }
  if (q && !q->matches(entity)) return false;
  if (geo && !geo->matches(entity)) return false;
  return true;
}

bool QueryPage::offer(const Entity& entity) {
  if (!query_.matches(entity)) return true;
  if (matched_ >= query_.offset && result_.entities.size() < query_.limit) result_.entities.push_back(entity);
  ++matched_;
  return query_.count || result_.entities.size() < query_.limit || matched_ < query_.offset;
}

QueryResult QueryPage::take() {
  if (query_.count) result_.count = matched_;
  return std::move(result_);
}

}  // namespace citytwin::context
