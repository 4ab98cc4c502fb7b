#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <regex>
#include <set>
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
  // Throws ContextError(BadRequestData) naming the position of a syntax error.
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

  // Throws ContextError(BadRequestData) for unknown relations, non-positive distances, malformed coordinates.
  static GeoQuery parse(const std::string& georel, const std::string& geometryType, const std::string& coordinates,
                        const std::string& geoPropertyIri);
  bool matches(const Entity& entity) const;
};

// An entity id pattern (idPattern=): an ECMAScript regular expression searched for in the id.
class IdPattern {
 public:
  // Throws ContextError(BadRequestData) when the text is not a valid regular expression.
  explicit IdPattern(std::string text);
  const std::string& text() const noexcept { return text_; }
  bool matches(const std::string& id) const;

 private:
  std::string text_;
  std::regex regex_;
};

// One query over the entities (NGSI-LD clause 5.7.2), whatever asks it: every filter given must hold;
// within the type, id and attribute lists any one member suffices. Results come in id order, paged.
struct EntityQuery {
  std::vector<std::string> types;  // expanded type IRIs
  std::vector<std::string> ids;
  std::optional<IdPattern> idPattern;
  std::set<std::string> attributes;  // expanded names: the entity has at least one of them
  std::optional<QueryExpression> q;
  std::optional<GeoQuery> geo;
  std::size_t offset = 0;
  std::size_t limit = 20;
  bool count = false;  // also count every match (QueryResult::count)

  bool hasFilter() const;
  // Throws ContextError(BadRequestData) when no filter is given: a query must select something.
  void requireFilter() const;
  bool matches(const Entity& entity) const;
};

struct QueryResult {
  std::vector<Entity> entities;      // the page: at most limit entities after the first offset matches
  std::optional<std::size_t> count;  // every match, when the query asked for it
};

// Collects a query's page from entities offered in id order: how a repository that scans its entities
// answers a query.
class QueryPage {
 public:
  explicit QueryPage(const EntityQuery& query) : query_(query) {}
  // Returns false once the scan may stop (the page is full and no count was asked for).
  bool offer(const Entity& entity);
  QueryResult take();

 private:
  const EntityQuery& query_;
  std::size_t matched_ = 0;
  QueryResult result_;
};

}  // namespace citytwin::context
