#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/context/entity_repository.hpp"
#include "citytwin/context/json_ld_context.hpp"

namespace citytwin::server {

// The temporal representation of an entity (GS CIM 009 clause 4.5.7) read and written by the temporal API.

// POST /temporal/entities: every attribute holds an array of instances (or one instance). The writes that
// store each instance in observedAt order, so the entity's current state ends with the latest instance of
// each attribute (and datasetId) and every instance is in the history. The first write carries the entity's
// types (it creates the entity when it is new). Throws ContextError(BadRequestData) naming the member.
std::vector<context::WriteOperation> temporalWrites(const nlohmann::json& body,
                                                    const context::JsonLdContext& context);

// An ISO 8601 duration (PnYnMnWnDTnHnMnS, fractions of seconds allowed) in milliseconds; a year counts
// 365 days and a month 30 (aggrPeriodDuration periods have a fixed length). nullopt when malformed.
std::optional<std::int64_t> parseIsoDuration(const std::string& text);

// The aggregation functions of clause 4.5.19.
enum class AggregationMethod { TotalCount, DistinctCount, Sum, Avg, Min, Max, Stddev, Sumsq };
std::optional<AggregationMethod> aggregationMethodFrom(const std::string& name);

struct TemporalFormat {
  enum class Kind { Normalized, TemporalValues, Aggregated };
  Kind kind = Kind::Normalized;
  std::vector<AggregationMethod> methods;     // Aggregated
  std::int64_t periodMs = 0;                  // Aggregated: 0 = one period over the whole range
  std::optional<std::int64_t> periodStartMs;  // Aggregated: timeAt when given, else the first instance
};

// The entity as JSON text, names compacted through `context`, without @context.
std::string temporalEntityJson(const context::TemporalEntity& entity, const context::JsonLdContext& context,
                               const TemporalFormat& format);

}  // namespace citytwin::server
