#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace citytwin::server {

// The pick / omit projections of GS CIM 009 clause 4.21: entity members ("id", "type", attribute names)
// separated by ',' or '|', with linked-entity members in braces (owner{name}) when a join asks for them.
struct Projection {
  std::set<std::string> pick;  // top-level members to keep; empty: all
  std::set<std::string> omit;  // top-level members to drop

  bool empty() const { return pick.empty() && omit.empty(); }
  // Keeps the picked members of one entity (and its @context) and drops the omitted ones.
  void apply(nlohmann::json& entity) const;
};

// Reads pick and omit (either may be empty text = absent). `maxDepth` is how deep braces may nest: the
// joinLevel of a join, 0 without one. Throws NgsiError(BadRequestData) for a malformed expression, a member
// both picked and omitted, or braces deeper than maxDepth.
Projection parseProjection(const std::string& pick, const std::string& omit, int maxDepth);

}  // namespace citytwin::server
