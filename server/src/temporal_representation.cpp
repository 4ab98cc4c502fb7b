#include "temporal_representation.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/core/date_time.hpp"

namespace citytwin::server {

using namespace citytwin::context;
using nlohmann::json;

namespace {

[[noreturn]] void badData(const std::string& detail) {
  throw ContextError(ErrorKind::BadRequestData, detail);
}

bool isEntityMember(const std::string& name) {
  return name == "id" || name == "type" || name == "@context" || name == "scope" || name == "createdAt" ||
         name == "modifiedAt";
}

// The member names of the simplified (temporalValues) form, clause 4.5.9.
const char* valuesKey(AttributeKind kind) {
  switch (kind) {
    case AttributeKind::Relationship:
      return "objects";
    case AttributeKind::LanguageProperty:
      return "languageMaps";
    default:
      return "values";
  }
}

const char* valueKey(AttributeKind kind) {
  switch (kind) {
    case AttributeKind::Relationship:
      return "object";
    case AttributeKind::LanguageProperty:
      return "languageMap";
    default:
      return "value";
  }
}

std::string methodName(AggregationMethod method) {
  switch (method) {
    case AggregationMethod::TotalCount:
      return "totalCount";
    case AggregationMethod::DistinctCount:
      return "distinctCount";
    case AggregationMethod::Sum:
      return "sum";
    case AggregationMethod::Avg:
      return "avg";
    case AggregationMethod::Min:
      return "min";
    case AggregationMethod::Max:
      return "max";
    case AggregationMethod::Stddev:
      return "stddev";
    case AggregationMethod::Sumsq:
      return "sumsq";
  }
  return "";
}

// One aggregation method over the instances of one period. Numeric methods use the numeric values only
// (booleans count as 0/1); min and max also order strings; null when nothing applies.
json aggregate(AggregationMethod method, const std::vector<const TemporalInstance*>& instances) {
  if (method == AggregationMethod::TotalCount) return instances.size();
  if (method == AggregationMethod::DistinctCount) {
    std::set<std::string> distinct;
    for (const auto* instance : instances) distinct.insert(instance->valueJson);
    return distinct.size();
  }
  std::vector<double> numbers;
  std::vector<std::string> strings;
  for (const auto* instance : instances) {
    const json value = json::parse(instance->valueJson, nullptr, false);
    if (value.is_number()) numbers.push_back(value.get<double>());
    if (value.is_boolean()) numbers.push_back(value.get<bool>() ? 1.0 : 0.0);
    if (value.is_string()) strings.push_back(value.get<std::string>());
  }
  if (numbers.empty()) {
    if (strings.empty()) return nullptr;
    if (method == AggregationMethod::Min) return *std::min_element(strings.begin(), strings.end());
    if (method == AggregationMethod::Max) return *std::max_element(strings.begin(), strings.end());
    return nullptr;
  }
  double sum = 0, sumsq = 0;
  for (const double x : numbers) {
    sum += x;
    sumsq += x * x;
  }
  const double n = static_cast<double>(numbers.size());
  switch (method) {
    case AggregationMethod::Sum:
      return sum;
    case AggregationMethod::Sumsq:
      return sumsq;
    case AggregationMethod::Avg:
      return sum / n;
    case AggregationMethod::Min:
      return *std::min_element(numbers.begin(), numbers.end());
    case AggregationMethod::Max:
      return *std::max_element(numbers.begin(), numbers.end());
    case AggregationMethod::Stddev: {
      // The sample standard deviation (n - 1), as SQL's stddev; 0 for a single value.
      if (numbers.size() < 2) return 0.0;
      const double mean = sum / n;
      double squares = 0;
      for (const double x : numbers) squares += (x - mean) * (x - mean);
      return std::sqrt(squares / (n - 1));
    }
    default:
      return nullptr;
  }
}

// {"type": kind, "<method>": [[value, periodStart, periodEnd], ...], ...} for one attribute; periods
// without instances are left out.
json aggregatedAttribute(const std::vector<const TemporalInstance*>& instances, const TemporalFormat& format,
                         std::int64_t start, std::int64_t rangeEnd) {
  std::map<std::int64_t, std::vector<const TemporalInstance*>> periods;  // period index -> instances
  for (const auto* instance : instances) {
    const std::int64_t offset = instance->observedMs - start;
    const std::int64_t index =
        format.periodMs > 0
            ? (offset >= 0 ? offset / format.periodMs : -((-offset + format.periodMs - 1) / format.periodMs))
            : 0;
    periods[index].push_back(instance);
  }
  json out = {{"type", std::string(toString(instances.front()->kind))}};
  for (const auto method : format.methods) {
    json series = json::array();
    for (const auto& [index, members] : periods) {
      const std::int64_t from = format.periodMs > 0 ? start + index * format.periodMs : start;
      const std::int64_t to = format.periodMs > 0 ? from + format.periodMs : rangeEnd;
      series.push_back({aggregate(method, members), formatDateTime(from, DateTimeFraction::WhenNonZero),
                        formatDateTime(to, DateTimeFraction::WhenNonZero)});
    }
    out[methodName(method)] = std::move(series);
  }
  return out;
}

}  // namespace

std::vector<WriteOperation> temporalWrites(const json& body, const JsonLdContext& context) {
  if (!body.is_object()) badData("a temporal entity must be a JSON object");
  json head = json::object();
  for (const char* member : {"id", "type"}) {
    if (body.contains(member)) head[member] = body[member];
  }
  Entity entity = parseEntity(head, context);
  if (!isValidUri(entity.id)) badData("entity id '" + entity.id + "' is not a valid URI");
  struct Instance {
    std::int64_t observedMs;
    std::string name;
    Attribute attribute;
  };
  std::vector<Instance> instances;
  for (const auto& [name, value] : body.items()) {
    if (isEntityMember(name)) continue;
    if (!isValidAttributeName(name)) badData("attribute name '" + name + "' is not valid");
    const std::string expanded = context.expand(name);
    const json list = value.is_array() ? value : json::array({value});
    for (const auto& item : list) {
      if (!item.is_object()) badData("every instance of attribute " + name + " must be a JSON object");
      Attribute attribute = parseAttribute(name, item, context);
      instances.push_back(
          {attribute.observedAt.empty() ? 0 : attribute.observedMs, expanded, std::move(attribute)});
    }
  }
  std::stable_sort(instances.begin(), instances.end(),
                   [](const Instance& a, const Instance& b) { return a.observedMs < b.observedMs; });
  std::vector<WriteOperation> writes;
  const auto next = [&] {
    WriteOperation op;
    op.kind = WriteKind::Upsert;
    op.mergeAttributes = true;
    op.entity.id = entity.id;
    op.entity.types = entity.types;
    return op;
  };
  if (instances.empty()) writes.push_back(next());
  for (auto& instance : instances) {
    WriteOperation op = next();
    op.entity.attributes[instance.name].push_back(std::move(instance.attribute));
    writes.push_back(std::move(op));
  }
  return writes;
}

std::optional<std::int64_t> parseIsoDuration(const std::string& text) {
  if (text.size() < 2 || text[0] != 'P') return std::nullopt;
  constexpr double kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;
  double total = 0;
  bool inTime = false, any = false;
  std::size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (inTime) return std::nullopt;
      inTime = true;
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
      ++end;
    if (end == i || end == text.size()) return std::nullopt;
    const std::string number = text.substr(i, end - i);
    if (std::count(number.begin(), number.end(), '.') > 1 || number.front() == '.') return std::nullopt;
    const double amount = std::stod(number);
    const char unit = text[end];
    double scale = 0;
    if (!inTime) {
      scale = unit == 'Y'   ? 365 * kDay
              : unit == 'M' ? 30 * kDay
              : unit == 'W' ? 7 * kDay
              : unit == 'D' ? kDay
                            : 0;
    } else {
      scale = unit == 'H' ? kHour : unit == 'M' ? kMinute : unit == 'S' ? kSecond : 0;
    }
    if (scale == 0) return std::nullopt;
    total += amount * scale;
    any = true;
    i = end + 1;
  }
  if (!any || total > 1e15) return std::nullopt;
  return static_cast<std::int64_t>(std::llround(total));
}

std::optional<AggregationMethod> aggregationMethodFrom(const std::string& name) {
  for (const auto method : {AggregationMethod::TotalCount, AggregationMethod::DistinctCount,
                            AggregationMethod::Sum, AggregationMethod::Avg, AggregationMethod::Min,
                            AggregationMethod::Max, AggregationMethod::Stddev, AggregationMethod::Sumsq}) {
    if (methodName(method) == name) return method;
  }
  return std::nullopt;
}

std::string temporalEntityJson(const TemporalEntity& entity, const JsonLdContext& context,
                               const TemporalFormat& format) {
  // Built as text: the stored values are already JSON, and a long history should not be re-parsed.
  std::string out;
  const auto add = [&out](std::initializer_list<std::string_view> parts) {
    for (const auto part : parts) out.append(part.data(), part.size());
  };
  json types = json::array();
  for (const auto& t : entity.types) types.push_back(context.compact(t));
  add({"{\"id\":", json(entity.id).dump()});
  if (!types.empty()) add({",\"type\":", types.size() == 1 ? types[0].dump() : types.dump()});
  const auto& instances = entity.instances;
  std::int64_t first = 0, last = 0;
  for (std::size_t k = 0; k < instances.size(); ++k) {
    if (k == 0 || instances[k].observedMs < first) first = instances[k].observedMs;
    if (k == 0 || instances[k].observedMs > last) last = instances[k].observedMs;
  }
  std::size_t i = 0;
  while (i < instances.size()) {
    const std::string& name = instances[i].attribute;
    std::size_t end = i;
    while (end < instances.size() && instances[end].attribute == name) ++end;
    add({",", json(context.compact(name)).dump(), ":"});
    if (format.kind == TemporalFormat::Kind::Aggregated) {
      std::vector<const TemporalInstance*> members;
      for (std::size_t k = i; k < end; ++k) members.push_back(&instances[k]);
      add({aggregatedAttribute(members, format, format.periodStartMs.value_or(first), last).dump()});
      i = end;
      continue;
    }
    const bool simplified = format.kind == TemporalFormat::Kind::TemporalValues;
    if (simplified) {
      add({"{\"type\":\"", toString(instances[i].kind), "\",\"", valuesKey(instances[i].kind), "\":["});
    } else {
      add({"["});
    }
    for (std::size_t k = i; k < end; ++k) {
      const auto& instance = instances[k];
      if (k != i) add({","});
      if (simplified) {
        const std::string value = instance.kind == AttributeKind::LanguageProperty
                                      ? "{\"languageMap\":" + instance.valueJson + "}"
                                      : instance.valueJson;
        add({"[", value, ",", json(instance.observedAt).dump(), "]"});
        continue;
      }
      add({"{\"type\":\"", toString(instance.kind), "\",\"", valueKey(instance.kind),
           "\":", instance.valueJson, ",\"observedAt\":", json(instance.observedAt).dump()});
      if (!instance.unitCode.empty()) add({",\"unitCode\":", json(instance.unitCode).dump()});
      if (!instance.datasetId.empty()) add({",\"datasetId\":", json(instance.datasetId).dump()});
      add({"}"});
    }
    add({simplified ? "]}" : "]"});
    i = end;
  }
  add({"}"});
  return out;
}

}  // namespace citytwin::server
