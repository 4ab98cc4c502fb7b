#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/context/entity.hpp"
#include "citytwin/context/json_ld_context.hpp"

namespace citytwin::context {

// A parsed NGSI-LD query-language expression (q=, clause 4.9): terms joined by ';' (and) and '|' (or),
// parentheses, comparisons == != > >= < <= ~= !~=, ranges (a..b), lists (a,b,c), attribute paths with
// sub-attributes or metadata (temperature.observedAt) and compound-value members (address[city]).
class QueryExpression {
 public:
  // Throws NgsiError(BadRequestData) naming the position of a syntax error.
  static QueryExpression parse(const std::string& text, const JsonLdContext& context);
  bool matches(const Entity& entity) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

// A geo-query (clause 4.10): georel near;maxDistance==m / near;minDistance==m / within / intersects /
// disjoint / equals, with a GeoJSON geometry given as geometry= and coordinates=. Distances in metres on
// WGS 84 lon/lat (local equirectangular approximation, adequate within a city).
struct GeoQuery {
  enum class Relation { Near, Within, Intersects, Disjoint, Equals };
  Relation relation = Relation::Intersects;
  std::optional<double> maxDistanceM;
  std::optional<double> minDistanceM;
  nlohmann::json geometry;             // GeoJSON
  std::string geoProperty = "https://uri.etsi.org/ngsi-ld/location";

  // Throws NgsiError(BadRequestData) for unknown relations, non-positive distances, malformed coordinates.
  static GeoQuery parse(const std::string& georel, const std::string& geometryType, const std::string& coordinates,
                        const std::string& geoPropertyIri);
  bool matches(const Entity& entity) const;
};

}  // namespace citytwin::context
