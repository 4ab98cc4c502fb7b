#include "citytwin/server/context_service.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <set>
#include <sstream>

#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_query.hpp"
#include "citytwin/context/json_ld_context.hpp"
#include "citytwin/context/sqlite_entity_repository.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/server/broker_state.hpp"
#include "citytwin/server/ngsi_error.hpp"
#include "citytwin/server/subscriptions.hpp"
#include "citytwin/server/tenants.hpp"
#include "features_api.hpp"
#include "percent_encoding.hpp"
#include "projection.hpp"
#include "temporal_representation.hpp"
#ifdef CITYTWIN_HAS_POSTGRESQL
#include "citytwin/postgres/postgres_entity_repository.hpp"
#endif
#include "citytwin/core/error.hpp"

namespace citytwin::server {

// The service speaks the context library's language: entities, their codec, queries and NGSI-LD errors.
using namespace citytwin::context;

namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";
constexpr const char* kJsonLd = "application/ld+json";
constexpr const char* kProblemJson = "application/json";
constexpr const char* kGeoJson = "application/geo+json";
constexpr const char* kEntitiesPrefix = "/ngsi-ld/v1/entities/";
constexpr const char* kNgsiNullValue = "urn:ngsi-ld:null";

[[noreturn]] void badData(const std::string& detail) { throw NgsiError(NgsiErrorType::BadRequestData, detail); }

void sendProblem(httplib::Response& res, const NgsiError& error) {
  res.status = error.status();
  if (error.type() == NgsiErrorType::Unauthorized) res.set_header("WWW-Authenticate", "Bearer");
  res.set_content(error.problemDetails().dump(), kProblemJson);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `plusIsSpace`: query strings, where clients send a space as '+' (a literal '+' comes as %2B).
std::string percentDecode(std::string_view text, bool plusIsSpace = false) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plusIsSpace) {
      out += ' ';  // form encoding of a space, as HTTP clients send query strings
    } else if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
               hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The query parameter `name` from the raw request target. Parsed here rather than through the HTTP
// library because NGSI-LD values contain '=' (q=speed==20, georel=near;maxDistance==100): only the first
// '=' of a parameter separates its name from its value.
std::optional<std::string> findParam(const httplib::Request& req, std::string_view name) {
  const auto question = req.target.find('?');
  if (question == std::string::npos) return std::nullopt;
  const std::string_view query = std::string_view(req.target).substr(question + 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    const auto equals = pair.find('=');
    if (percentDecode(pair.substr(0, equals), true) == name) {
      return equals == std::string_view::npos ? std::string() : percentDecode(pair.substr(equals + 1), true);
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> splitOn(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// The query parameters GS CIM 009 defines (clause 6) across its resources; any other on an NGSI-LD path
// is an InvalidRequest (clause 6.3.20), so a misspelt filter is never silently ignored.
std::optional<std::string> unknownNgsiParameter(const httplib::Request& req) {
  static const std::set<std::string, std::less<>> kKnown = {"type",
                                                            "id",
                                                            "idPattern",
                                                            "attrs",
                                                            "q",
                                                            "csf",
                                                            "georel",
                                                            "geometry",
                                                            "coordinates",
                                                            "geoproperty",
                                                            "geometryProperty",
                                                            "lang",
                                                            "scopeQ",
                                                            "options",
                                                            "format",
                                                            "limit",
                                                            "offset",
                                                            "count",
                                                            "pick",
                                                            "omit",
                                                            "join",
                                                            "joinLevel",
                                                            "containedBy",
                                                            "datasetId",
                                                            "deleteAll",
                                                            "timerel",
                                                            "timeAt",
                                                            "endTimeAt",
                                                            "timeproperty",
                                                            "lastN",
                                                            "aggrMethods",
                                                            "aggrPeriodDuration",
                                                            "orderBy",
                                                            "orderFrom",
                                                            "collation",
                                                            "local",
                                                            "via",
                                                            "details",
                                                            "kind",
                                                            "reload",
                                                            "drop",
                                                            "keep",
                                                            "expandValues",
                                                            "entityMap",
                                                            "observedAt",
                                                            "doNotCompact"};
  if (!req.path.starts_with("/ngsi-ld/")) return std::nullopt;
  const auto question = req.target.find('?');
  if (question == std::string::npos) return std::nullopt;
  const std::string_view query = std::string_view(req.target).substr(question + 1);
  std::size_t start = 0;
  while (start < query.size()) {
    auto end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string name =
        percentDecode(query.substr(start, std::min(query.find('=', start), end) - start), true);
    if (!name.empty() && !kKnown.contains(name)) return name;
    start = end + 1;
  }
  return std::nullopt;
}

std::string param(const httplib::Request& req, std::string_view name) { return findParam(req, name).value_or(""); }
bool hasParam(const httplib::Request& req, std::string_view name) { return findParam(req, name).has_value(); }

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) parts.push_back(std::move(part));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

std::string mediaType(const std::string& header) {
  std::string type = header.substr(0, header.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type;
}

std::size_t parseCount(const std::string& text, const char* name) {
  std::size_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) badData(std::string(name) + " must be a non-negative integer");
  return value;
}

// What a request says about representation and context.
struct RequestShape {
  std::shared_ptr<const JsonLdContext> context;  // from the Link header (or core)
  std::string linkHeader;
  bool wantsJsonLd = false;
  SerializeOptions serialize;
  Projection projection;                      // pick / omit
  bool wantsGeoJson = false;                  // Accept: application/geo+json (clause 4.5.16)
  std::string geometryProperty = "location";  // the member that becomes a Feature's geometry
};

// The weight an Accept header gives one media type (RFC 9110 clause 12.5.1): that of the most specific
// matching range, 0 when none matches.
double acceptWeight(const std::string& accept, const std::string& wanted) {
  double weight = 0;
  int specificity = -1;
  for (const auto& item : splitList(accept)) {
    const std::string type = mediaType(item);
    const int level = type == wanted ? 2 : type == "application/*" ? 1 : type == "*/*" ? 0 : -1;
    if (level <= specificity) continue;
    double q = 1;
    const auto at = item.find("q=");
    if (at != std::string::npos) {
      // An unparseable weight is ignored (the range keeps weight 1) rather than ruling the range out.
      char* end = nullptr;
      const double parsed = std::strtod(item.c_str() + at + 2, &end);
      if (end != item.c_str() + at + 2 && parsed >= 0 && parsed <= 1) q = parsed;
    }
    specificity = level;
    weight = q;
  }
  return weight;
}

// `geoJson`: the resource also offers application/geo+json. The highest-weighted representation wins;
// equal weights prefer application/json, then application/ld+json, then application/geo+json.
RequestShape readShape(const httplib::Request& req, ContextDocuments* documents, bool geoJson = false) {
  RequestShape shape;
  shape.linkHeader = req.get_header_value("Link");
  shape.context = contextFromLinkHeader(shape.linkHeader, documents);
  const std::string accept = req.get_header_value("Accept");
  if (!accept.empty()) {
    const double plain = acceptWeight(accept, kJson), jsonLd = acceptWeight(accept, kJsonLd);
    const double geo = geoJson ? acceptWeight(accept, kGeoJson) : 0;
    if (plain <= 0 && jsonLd <= 0 && geo <= 0) {
      throw NgsiError(NgsiErrorType::NotAcceptable,
                      geoJson
                          ? "Accept must allow application/json, application/ld+json or application/geo+json"
                          : "Accept must allow application/json or application/ld+json");
    }
    if (jsonLd > plain && jsonLd >= geo) {
      shape.wantsJsonLd = true;
    } else if (geo > plain && geo > jsonLd) {
      shape.wantsGeoJson = true;
    }
  }
  for (const auto& option : splitList(param(req, "options"))) {
    if (option == "keyValues" || option == "simplified") {
      shape.serialize.representation = Representation::KeyValues;
    } else if (option == "concise") {
      shape.serialize.representation = Representation::Concise;
    } else if (option == "normalized") {
      shape.serialize.representation = Representation::Normalized;
    } else if (option == "sysAttrs") {
      shape.serialize.systemAttributes = true;
    } else if (option != "temporalValues" && option != "aggregatedValues" && option != "update" &&
               option != "replace" && option != "noOverwrite") {
      // Clause 6.3.20: a parameter value the API does not define makes the request invalid, not its data.
      throw NgsiError(NgsiErrorType::InvalidRequest, "unknown option '" + option + "'");
    }
  }
  if (hasParam(req, "format")) {
    const std::string format = param(req, "format");
    if (format == "keyValues" || format == "simplified") {
      shape.serialize.representation = Representation::KeyValues;
    } else if (format == "concise") {
      shape.serialize.representation = Representation::Concise;
    } else if (format != "normalized" && format != "temporalValues" && format != "aggregatedValues") {
      throw NgsiError(NgsiErrorType::InvalidRequest, "unknown format '" + format + "'");
    }
  }
  for (const auto& name : splitList(param(req, "attrs"))) {
    if (name == "id" || name == "type") badData("attrs names attributes; id and type are always there");
    shape.serialize.onlyAttributes.insert(shape.context->expand(name));
  }
  if (hasParam(req, "geometryProperty")) {
    if (!shape.wantsGeoJson)
      badData("geometryProperty applies to GeoJSON (Accept: application/geo+json) only");
    shape.geometryProperty = param(req, "geometryProperty");
  }
  const bool pick = hasParam(req, "pick"), omit = hasParam(req, "omit");
  if (pick || omit) {
    if (hasParam(req, "attrs")) badData("pick and omit replace attrs: use one or the other");
    if ((pick && param(req, "pick").empty()) || (omit && param(req, "omit").empty()))
      badData("pick and omit need members");
    int depth = 0;
    if (hasParam(req, "join")) {
      depth =
          hasParam(req, "joinLevel")
              ? static_cast<int>(std::min<std::size_t>(parseCount(param(req, "joinLevel"), "joinLevel"), 100))
              : 1;
    }
    shape.projection = parseProjection(param(req, "pick"), param(req, "omit"), depth);
  }
  return shape;
}

bool hasOption(const httplib::Request& req, const std::string& wanted) {
  const auto options = splitList(param(req, "options"));
  return std::find(options.begin(), options.end(), wanted) != options.end();
}

// The payload of a write, with the context each entity is to be read with.
struct Payload {
  json body;
  bool jsonLd = false;
  std::shared_ptr<const JsonLdContext> linkContext;
  ContextDocuments* documents = nullptr;  // the tenant's, for @context URLs that are not built in
};

Payload readPayload(const httplib::Request& req, ContextDocuments* documents) {
  Payload payload;
  payload.documents = documents;
  const std::string type = mediaType(req.get_header_value("Content-Type"));
  if (type == kJsonLd) {
    payload.jsonLd = true;
    // Clause 6.3.5: a JSON-LD body carries its own @context; a Link header beside it is ambiguous.
    if (!req.get_header_value("Link").empty()) {
      badData("an application/ld+json body carries its @context in the body, not in a Link header");
    }
  } else if (type != kJson) {
    throw NgsiError(NgsiErrorType::UnsupportedMediaType, "Content-Type must be application/json or application/ld+json");
  }
  try {
    payload.body = json::parse(req.body);
  } catch (const json::exception& e) {
    throw NgsiError(NgsiErrorType::InvalidRequest, std::string("the body is not valid JSON: ") + e.what());
  }
  if (!payload.jsonLd) payload.linkContext = contextFromLinkHeader(req.get_header_value("Link"), documents);
  return payload;
}

// The context for one JSON object of a payload: its @context (application/ld+json) or the Link header's.
std::shared_ptr<const JsonLdContext> contextFor(const Payload& payload, const json& object) {
  const bool hasContext = object.is_object() && object.contains("@context");
  if (payload.jsonLd) {
    if (!hasContext) badData("application/ld+json payloads must carry @context");
    return resolveContext(object["@context"], payload.documents);
  }
  if (hasContext) badData("application/json payloads must not carry @context; use a Link header or application/ld+json");
  return payload.linkContext;
}

void requireUri(const std::string& id, const char* what) {
  if (!isValidUri(id)) badData(std::string(what) + " '" + id + "' is not a valid URI");
}

}  // namespace

struct ContextService::Routes {
  ServiceOptions& options;
  EntityRepository& store;
  WhatIfJobs* whatIfs;
  TenantRegistry& tenants;
  httplib::Server server;
  std::unique_ptr<FeaturesApi> featuresApi;  // OGC API - Features of the served city

  Routes(ServiceOptions& o, EntityRepository& s, WhatIfJobs* w, TenantRegistry& t)
      : options(o), store(s), whatIfs(w), tenants(t) {}

  // The tenant a request names with NGSILD-Tenant; a write may create it, a read of an unknown one is 404.
  Tenant& tenantOf(const httplib::Request& req, bool create = false) {
    return tenants.get(req.get_header_value("NGSILD-Tenant"), create);
  }
  RequestShape readShape(const httplib::Request& req, bool geoJson = false) {
    return server::readShape(req, tenantOf(req).contexts.get(), geoJson);
  }
  Payload readPayload(const httplib::Request& req, bool create = false) {
    return server::readPayload(req, tenantOf(req, create).contexts.get());
  }

  template <typename Handler>
  auto guarded(Handler handler) {
    return [handler](const httplib::Request& req, httplib::Response& res) {
      try {
        handler(req, res);
      } catch (const ContextError& e) {
        sendProblem(res, NgsiError(e));
      } catch (const NgsiError& e) {
        sendProblem(res, e);
      } catch (const json::exception& e) {
        sendProblem(res, NgsiError(NgsiErrorType::BadRequestData, e.what()));
      } catch (const std::exception& e) {
        sendProblem(res, NgsiError(NgsiErrorType::InternalError, e.what()));
      }
    };
  }

  // An entity as a GeoJSON Feature (clause 4.5.16): its geometry is the value of the geometry property
  // (null when it has none or it is no geometry), every other member goes into properties.
  static json toFeature(json entity, const RequestShape& shape) {
    json feature = {{"id", entity.value("id", json())}, {"type", "Feature"}, {"geometry", nullptr}};
    if (entity.contains(shape.geometryProperty)) {
      const json& member = entity[shape.geometryProperty];
      const json& geometry = member.is_object() && member.contains("value") ? member["value"] : member;
      if (isGeoJsonGeometry(geometry)) feature["geometry"] = geometry;
    }
    entity.erase("id");
    feature["properties"] = std::move(entity);
    feature["@context"] = shape.context->value();
    return feature;
  }

  void respondEntities(httplib::Response& res, const RequestShape& shape, json document, int status = 200) {
    if (!shape.projection.empty()) {
      if (document.is_array()) {
        for (auto& entity : document) shape.projection.apply(entity);
      } else {
        shape.projection.apply(document);
      }
    }
    if (shape.wantsGeoJson) {
      json body;
      if (document.is_array()) {
        body = {{"type", "FeatureCollection"}, {"features", json::array()}};
        for (auto& entity : document) body["features"].push_back(toFeature(std::move(entity), shape));
      } else {
        body = toFeature(std::move(document), shape);
      }
      res.status = status;
      res.set_content(body.dump(), kGeoJson);
      return;
    }
    if (shape.wantsJsonLd) {
      const auto addContext = [&](json& entity) { entity["@context"] = shape.context->value(); };
      if (document.is_array()) {
        for (auto& entity : document) addContext(entity);
      } else {
        addContext(document);
      }
      res.status = status;
      res.set_content(document.dump(), kJsonLd);
      return;
    }
    const std::string url = shape.context->linkUrl();
    res.set_header("Link", "<" + (url.empty() ? std::string(kCoreContextUrl) : url) +
                               ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
    res.status = status;
    res.set_content(document.dump(), kJson);
  }

  static std::string entityIdFrom(const httplib::Request& req, std::size_t index = 1) {
    const std::string id = req.matches[static_cast<int>(index)];
    requireUri(id, "entity id");
    return id;
  }

  void batchResponse(httplib::Response& res, const std::vector<std::string>& ids,
                     const std::vector<std::optional<NgsiError>>& errors, const std::vector<bool>& created,
                     WriteKind kind) {
    json success = json::array(), failures = json::array(), createdIds = json::array();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (errors[i]) {
        failures.push_back({{"entityId", ids[i]}, {"error", errors[i]->problemDetails()}});
      } else {
        success.push_back(ids[i]);
        if (created[i]) createdIds.push_back(ids[i]);
      }
    }
    if (!failures.empty()) {
      res.status = 207;
      res.set_content(json{{"success", success}, {"errors", failures}}.dump(), kJson);
    } else if (kind == WriteKind::Create || (kind == WriteKind::Upsert && !createdIds.empty())) {
      res.status = 201;
      res.set_content(createdIds.dump(), kJson);
    } else {
      res.status = 204;
    }
  }

  // The operations of a merge (clause 5.6.17): attributes holding the NGSI-LD Null are deleted, the others
  // added or replaced by datasetId; a type in the fragment is left alone. The entity must exist.
  static std::vector<WriteOperation> mergeOperations(const std::string& id, const json& fragment,
                                                     const JsonLdContext& context) {
    if (!fragment.is_object()) badData("a merge fragment must be a JSON object");
    if (fragment.contains("id") && fragment["id"] != id)
      badData("the fragment's id differs from the entity's");
    std::vector<WriteOperation> operations;
    WriteOperation merge;
    merge.kind = WriteKind::Update;
    merge.entity.id = id;
    json kept = json::object();
    for (const auto& [name, value] : fragment.items()) {
      const bool isNull =
          value == kNgsiNullValue || (value.is_object() && (value.value("value", json()) == kNgsiNullValue ||
                                                            value.value("object", json()) == kNgsiNullValue));
      if (!isNull) {
        kept[name] = value;
        continue;
      }
      WriteOperation remove;
      remove.kind = WriteKind::DeleteAttr;
      remove.entity.id = id;
      remove.attribute = context.expand(name);
      remove.deleteAllInstances = true;
      operations.push_back(std::move(remove));
    }
    merge.entity.attributes = parseAttributes(kept, context);
    // An empty merge still checks that the entity exists (Update of nothing answers 404 when it does not).
    operations.insert(operations.begin(), std::move(merge));
    return operations;
  }

  void mergeEntity(const httplib::Request& req, httplib::Response& res) {
    const std::string id = entityIdFrom(req);
    const Payload payload = readPayload(req);
    auto operations = mergeOperations(id, payload.body, *contextFor(payload, payload.body));
    const auto results = tenantOf(req).store->write(std::move(operations));
    for (const auto& result : results) {
      if (result.error) throw *result.error;
    }
    res.status = 204;
  }

  // PUT /entities/{id}: the payload replaces every attribute of an existing entity (clause 5.6.18).
  void replaceEntity(const httplib::Request& req, httplib::Response& res) {
    const std::string id = entityIdFrom(req);
    const Payload payload = readPayload(req);
    if (!payload.body.is_object()) badData("an entity must be a JSON object");
    json body = payload.body;
    if (body.contains("id") && body["id"] != id) badData("the payload's id differs from the entity's");
    body["id"] = id;
    EntityRepository& store = *tenantOf(req).store;
    const auto current = store.get(id);
    if (!current) throw NgsiError(NgsiErrorType::ResourceNotFound, "entity " + id + " does not exist");
    const auto context = contextFor(payload, payload.body);
    if (!body.contains("type")) {
      json types = json::array();
      for (const auto& t : current->types) types.push_back(context->compact(t));
      body["type"] = types;
    }
    WriteOperation op;
    op.kind = WriteKind::Upsert;
    op.entity = parseEntity(body, *context);
    std::vector<WriteOperation> ops;
    ops.push_back(std::move(op));
    const auto results = store.write(std::move(ops));
    if (results[0].error) throw *results[0].error;
    res.status = 204;
  }

  // Reads every entity of a batch; unreadable ones become per-entity errors. `merge`: entityOperations/merge,
  // each entity a merge fragment of an existing one.
  void runBatch(const httplib::Request& req, httplib::Response& res, WriteKind kind,
                bool mergeFragments = false) {
    const bool creates = kind == WriteKind::Create || kind == WriteKind::Upsert;
    const Payload payload = readPayload(req, creates);
    if (!payload.body.is_array()) badData("a batch operation needs a JSON array");
    if (payload.body.empty()) badData("the batch is empty");
    if (payload.body.size() > options.maxBatchEntities) {
      badData("the batch holds " + std::to_string(payload.body.size()) + " entities; the limit is " +
              std::to_string(options.maxBatchEntities));
    }
    const bool merge = hasOption(req, "update");
    const bool noOverwrite = hasOption(req, "noOverwrite");
    std::vector<std::string> ids(payload.body.size());
    std::vector<std::optional<NgsiError>> errors(payload.body.size());
    std::vector<bool> created(payload.body.size(), false);
    std::vector<WriteOperation> operations;
    std::vector<std::size_t> slots;
    operations.reserve(payload.body.size());
    for (std::size_t i = 0; i < payload.body.size(); ++i) {
      const json& item = payload.body[i];
      try {
        WriteOperation op;
        op.kind = kind;
        if (kind == WriteKind::Delete) {
          if (!item.is_string()) badData("batch delete takes an array of entity ids");
          ids[i] = item.get<std::string>();
          requireUri(ids[i], "entity id");
          op.entity.id = ids[i];
        } else if (mergeFragments) {
          if (!item.is_object() || !item.contains("id") || !item["id"].is_string())
            badData("every entity needs an id");
          ids[i] = item["id"].get<std::string>();
          requireUri(ids[i], "entity id");
          json fragment = item;
          fragment.erase("@context");
          fragment.erase("type");
          auto merged = mergeOperations(ids[i], fragment, *contextFor(payload, item));
          op = std::move(merged.front());  // deletions of NGSI-LD Null attributes are not batched
        } else {
          if (item.is_object() && item.contains("id") && item["id"].is_string()) ids[i] = item["id"].get<std::string>();
          op.entity = parseEntity(item, *contextFor(payload, item));
          ids[i] = op.entity.id;
          op.mergeAttributes = merge;
          op.noOverwrite = noOverwrite;
        }
        operations.push_back(std::move(op));
        slots.push_back(i);
      } catch (const ContextError& e) {
        errors[i] = NgsiError(e);
      } catch (const NgsiError& e) {
        errors[i] = e;
      }
    }
    const auto results = tenantOf(req, creates).store->write(std::move(operations));
    for (std::size_t k = 0; k < results.size(); ++k) {
      if (results[k].error) errors[slots[k]] = NgsiError(*results[k].error);
      created[slots[k]] = results[k].created;
    }
    batchResponse(res, ids, errors, created, kind);
  }

  void updateResult(httplib::Response& res, const WriteResult& result, const std::set<std::string>& names,
                    const JsonLdContext& context) {
    if (result.error) throw *result.error;
    if (result.notUpdated.empty()) {
      res.status = 204;
      return;
    }
    json updated = json::array(), notUpdated = json::array();
    for (const auto& name : names) {
      if (std::find(result.notUpdated.begin(), result.notUpdated.end(), name) == result.notUpdated.end()) {
        updated.push_back(context.compact(name));
      } else {
        notUpdated.push_back({{"attributeName", context.compact(name)},
                              {"reason", "the attribute does not exist or is not to be overwritten"}});
      }
    }
    res.status = 207;
    res.set_content(json{{"updated", updated}, {"notUpdated", notUpdated}}.dump(), kJson);
  }

  void queryEntities(const httplib::Request& req, httplib::Response& res) {
    const RequestShape shape = readShape(req, true);
    EntityQuery query = entityQueryFrom(req, shape);
    answerQuery(req, res, shape, query);
  }

  // The entity filters of a query URL: type, id, idPattern, q and the geo-query.
  static EntityQuery entityQueryFrom(const httplib::Request& req, const RequestShape& shape) {
    EntityQuery query;
    for (const auto& t : splitList(param(req, "type"))) query.types.push_back(shape.context->expand(t));
    for (const auto& id : splitList(param(req, "id"))) {
      requireUri(id, "id");
      query.ids.push_back(id);
    }
    if (hasParam(req, "idPattern")) query.idPattern.emplace(param(req, "idPattern"));
    if (hasParam(req, "q")) query.q = QueryExpression::parse(param(req, "q"), *shape.context);
    if (hasParam(req, "georel") || hasParam(req, "geometry") || hasParam(req, "coordinates")) {
      if (!hasParam(req, "georel")) badData("geometry and coordinates need georel");
      const std::string geoProperty =
          shape.context->expand(hasParam(req, "geoproperty") ? param(req, "geoproperty") : "location");
      query.geo = GeoQuery::parse(param(req, "georel"), param(req, "geometry"),
                                  param(req, "coordinates"), geoProperty);
    }
    return query;
  }

  // The part GET /entities and POST /entityOperations/query share once their filters are read: the
  // projection, paging from the URL, the store's answer and its representation.
  void answerQuery(const httplib::Request& req, httplib::Response& res, const RequestShape& shape, EntityQuery& query) {
    query.attributes = shape.serialize.onlyAttributes;
    // local=true (clause 6.3.18) asks for everything this broker holds itself: a filter in its own right.
    if (param(req, "local") != "true") query.requireFilter();
    query.limit = hasParam(req, "limit") ? parseCount(param(req, "limit"), "limit") : options.defaultLimit;
    query.offset = hasParam(req, "offset") ? parseCount(param(req, "offset"), "offset") : 0;
    if (query.limit > options.maxResults) {
      throw NgsiError(NgsiErrorType::TooManyResults, "limit " + std::to_string(query.limit) +
                                                         " exceeds the maximum of " + std::to_string(options.maxResults));
    }
    query.count = param(req, "count") == "true";
    const QueryResult found = tenantOf(req).store->query(query);
    json results = json::array();
    for (const auto& entity : found.entities) results.push_back(serializeEntity(entity, shape.context.get(), shape.serialize));
    if (found.count) res.set_header("NGSILD-Results-Count", std::to_string(*found.count));
    respondEntities(res, shape, std::move(results));
  }

  // Members of a Query body (clause 5.2.23) that are malformed or belong elsewhere: 400 BadRequestData.
  static void checkQueryBody(const json& body) {
    if (body.contains("attrs") && body["attrs"].is_array() && body["attrs"].empty())
      badData("attrs must not be empty");
    if (body.contains("temporalQ")) badData("temporalQ belongs to POST /temporal/entityOperations/query");
    if (body.contains("joinLevel") &&
        (!body["joinLevel"].is_number_integer() || body["joinLevel"].get<std::int64_t>() < 1)) {
      badData("joinLevel must be a positive integer");
    }
    if (body.contains("entities") && body["entities"].is_array()) {
      for (const auto& selector : body["entities"]) {
        if (selector.is_object() && !selector.contains("type")) badData("every entity selector needs a type");
      }
    }
    if (!body.contains("ordering")) return;
    const json& ordering = body["ordering"];
    if (!ordering.is_object()) badData("ordering must be an object");
    bool byDistance = false;
    if (ordering.contains("orderBy")) {
      if (!ordering["orderBy"].is_array()) badData("ordering.orderBy must be an array of strings");
      for (const auto& key : ordering["orderBy"]) {
        if (!key.is_string()) badData("ordering.orderBy must be an array of strings");
        byDistance = byDistance || key.get<std::string>().find(";dist") != std::string::npos;
      }
    }
    if (ordering.contains("geometry") && !ordering["geometry"].is_string())
      badData("ordering.geometry must be a string");
    if (ordering.contains("coordinates") && !ordering["coordinates"].is_array())
      badData("ordering.coordinates must be an array");
    if (byDistance && !ordering.contains("coordinates")) badData("ordering by distance needs coordinates");
    if (ordering.contains("collation")) {
      const json& tag = ordering["collation"];
      const std::string text = tag.is_string() ? tag.get<std::string>() : std::string();
      const auto isTagChar = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; };
      if (text.empty() || !std::all_of(text.begin(), text.end(), isTagChar)) {
        badData("ordering.collation must be a BCP 47 language tag");
      }
    }
  }

  // POST /entityOperations/query (clause 5.7.2's query as a body): {"type": "Query", "entities": [{type,
  // id, idPattern}], "attrs", "q", "geoQ"}; paging and representation from the URL as for GET.
  void postQuery(const httplib::Request& req, httplib::Response& res) {
    const Payload payload = readPayload(req);
    const json& body = payload.body;
    if (!body.is_object() || body.value("type", "") != "Query") badData("a query body is {\"type\": \"Query\", ...}");
    RequestShape shape = readShape(req, true);
    shape.context = contextFor(payload, body);
    checkQueryBody(body);
    EntityQuery query;
    if (body.contains("entities")) {
      const json& entities = body["entities"];
      if (!entities.is_array() || entities.empty()) badData("entities must be a non-empty array");
      // One selector is a plain filter; several are alternatives the query cannot express: refused.
      if (entities.size() > 1) throw NgsiError(NgsiErrorType::OperationNotSupported, "one entities selector per query");
      const json& selector = entities[0];
      if (!selector.is_object()) badData("entities members must be objects");
      if (selector.contains("type")) {
        if (!selector["type"].is_string()) badData("entities[].type must be a string");
        for (const auto& t : splitList(selector["type"].get<std::string>())) query.types.push_back(shape.context->expand(t));
      }
      if (selector.contains("id")) {
        if (!selector["id"].is_string()) badData("entities[].id must be a string");
        requireUri(selector["id"].get<std::string>(), "id");
        query.ids.push_back(selector["id"].get<std::string>());
      }
      if (selector.contains("idPattern")) query.idPattern.emplace(selector.value("idPattern", ""));
    }
    if (body.contains("attrs")) {
      if (!body["attrs"].is_array()) badData("attrs must be an array of names");
      for (const auto& name : body["attrs"]) {
        if (!name.is_string()) badData("attrs must be an array of names");
        shape.serialize.onlyAttributes.insert(shape.context->expand(name.get<std::string>()));
      }
    }
    if (body.contains("q")) {
      if (!body["q"].is_string()) badData("q must be a string");
      query.q = QueryExpression::parse(body["q"].get<std::string>(), *shape.context);
    }
    if (body.contains("geoQ")) {
      const json& geoQ = body["geoQ"];
      if (!geoQ.is_object() || !geoQ.contains("coordinates")) badData("geoQ needs georel, geometry and coordinates");
      const json& coordinates = geoQ["coordinates"];
      query.geo = GeoQuery::parse(geoQ.value("georel", ""), geoQ.value("geometry", ""),
                                  coordinates.is_string() ? coordinates.get<std::string>() : coordinates.dump(),
                                  shape.context->expand(geoQ.value("geoproperty", "location")));
    }
    answerQuery(req, res, shape, query);
  }

  // timerel / timeAt / endTimeAt / lastN / attrs of a temporal read.
  static TemporalFilter readTemporalFilter(const httplib::Request& req, const RequestShape& shape) {
    TemporalFilter filter;
    filter.attributes = shape.serialize.onlyAttributes;
    const std::string timerel = param(req, "timerel");
    if (!timerel.empty() || hasParam(req, "timeAt")) {
      const auto timeAt = parseDateTime(param(req, "timeAt"));
      if (!timeAt || param(req, "timeAt").find('T') == std::string::npos)
        badData("timeAt must be an ISO 8601 DateTime");
      filter.timeAtMs = *timeAt;
      if (timerel == "before") {
        filter.relation = TemporalFilter::Relation::Before;
      } else if (timerel == "after") {
        filter.relation = TemporalFilter::Relation::After;
      } else if (timerel == "between") {
        filter.relation = TemporalFilter::Relation::Between;
        const auto end = parseDateTime(param(req, "endTimeAt"));
        if (!end || param(req, "endTimeAt").find('T') == std::string::npos)
          badData("timerel=between needs endTimeAt as an ISO 8601 DateTime");
        if (*end <= *timeAt) badData("endTimeAt must be after timeAt");
        filter.endTimeAtMs = *end;
      } else {
        badData("timerel must be before, after or between");
      }
    }
    if (hasParam(req, "lastN")) {
      filter.lastN = parseCount(param(req, "lastN"), "lastN");
      if (filter.lastN == 0) badData("lastN must be positive");
    }
    return filter;
  }

  // options=temporalValues (or format=simplified/keyValues) / aggregatedValues with aggrMethods and
  // aggrPeriodDuration.
  static TemporalFormat readTemporalFormat(const httplib::Request& req, const RequestShape& shape,
                                           const TemporalFilter& filter) {
    TemporalFormat format;
    if (hasOption(req, "aggregatedValues") || param(req, "format") == "aggregatedValues") {
      format.kind = TemporalFormat::Kind::Aggregated;
      if (!hasParam(req, "aggrMethods")) badData("options=aggregatedValues needs aggrMethods");
      for (const auto& name : splitList(param(req, "aggrMethods"))) {
        const auto method = aggregationMethodFrom(name);
        if (!method) badData("unknown aggrMethods member '" + name + "'");
        format.methods.push_back(*method);
      }
      if (format.methods.empty()) badData("aggrMethods is empty");
      if (hasParam(req, "aggrPeriodDuration")) {
        const auto period = parseIsoDuration(param(req, "aggrPeriodDuration"));
        if (!period) badData("aggrPeriodDuration must be an ISO 8601 duration such as PT1H");
        format.periodMs = *period;
      }
      if (filter.relation == TemporalFilter::Relation::After ||
          filter.relation == TemporalFilter::Relation::Between) {
        format.periodStartMs = filter.timeAtMs;
      }
    } else if (hasOption(req, "temporalValues") || param(req, "format") == "temporalValues" ||
               shape.serialize.representation == Representation::KeyValues) {
      format.kind = TemporalFormat::Kind::TemporalValues;
    }
    return format;
  }

  void setContextLink(httplib::Response& res, const RequestShape& shape) {
    const std::string url = shape.context->linkUrl();
    res.set_header("Link",
                   "<" + (url.empty() ? std::string(kCoreContextUrl) : url) +
                       ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
  }

  std::string temporalText(const TemporalEntity& entity, const RequestShape& shape,
                           const TemporalFormat& format) {
    std::string text = temporalEntityJson(entity, *shape.context, format);
    if (!shape.projection.empty()) {
      json projected = json::parse(text);
      shape.projection.apply(projected);
      text = projected.dump();
    }
    if (shape.wantsJsonLd) text.insert(text.size() - 1, ",\"@context\":" + shape.context->value().dump());
    return text;
  }

  // The history of an entity, or nullopt when it has neither a history nor a current state.
  std::optional<TemporalEntity> temporalOf(EntityRepository& store, const std::string& id,
                                           const TemporalFilter& filter) {
    auto temporal = store.temporal(id, filter);
    if (!temporal) return std::nullopt;
    if (temporal->types.empty() && temporal->instances.empty() && !store.get(id)) return std::nullopt;
    return temporal;
  }

  void temporalEntity(const httplib::Request& req, httplib::Response& res) {
    const std::string id = entityIdFrom(req);
    const RequestShape shape = readShape(req);
    const TemporalFilter filter = readTemporalFilter(req, shape);
    const TemporalFormat format = readTemporalFormat(req, shape, filter);
    const auto temporal = temporalOf(*tenantOf(req).store, id, filter);
    if (!temporal) throw NgsiError(NgsiErrorType::ResourceNotFound, "entity " + id + " has no history");
    if (!shape.wantsJsonLd) setContextLink(res, shape);
    res.status = 200;
    res.set_content(temporalText(*temporal, shape, format), shape.wantsJsonLd ? kJsonLd : kJson);
  }

  // GET /temporal/entities: the entities a query selects (type, id, idPattern, q, geo on their current
  // state), each with its history; a page of limit/offset with a Link rel="next" while more remain.
  void queryTemporal(const httplib::Request& req, httplib::Response& res) {
    const RequestShape shape = readShape(req);
    const TemporalFilter filter = readTemporalFilter(req, shape);
    const TemporalFormat format = readTemporalFormat(req, shape, filter);
    // Entities of a temporal query come in id order: their history has no one value to order by.
    if (hasParam(req, "orderBy") && param(req, "orderBy") != "id")
      badData("temporal queries are ordered by id only");
    EntityQuery query = entityQueryFrom(req, shape);
    query.attributes = shape.serialize.onlyAttributes;
    if (param(req, "local") != "true") query.requireFilter();
    query.limit = hasParam(req, "limit") ? parseCount(param(req, "limit"), "limit") : options.defaultLimit;
    query.offset = hasParam(req, "offset") ? parseCount(param(req, "offset"), "offset") : 0;
    if (query.limit > options.maxResults) {
      throw NgsiError(NgsiErrorType::TooManyResults, "limit " + std::to_string(query.limit) +
                                                         " exceeds the maximum of " +
                                                         std::to_string(options.maxResults));
    }
    query.count = true;
    EntityRepository& store = *tenantOf(req).store;
    const QueryResult found = store.query(query);
    std::string out = "[";
    for (const auto& entity : found.entities) {
      const auto temporal = temporalOf(store, entity.id, filter);
      if (!temporal || temporal->instances.empty()) continue;
      if (out.size() > 1) out += ",";
      out += temporalText(*temporal, shape, format);
    }
    out += "]";
    if (param(req, "count") == "true") res.set_header("NGSILD-Results-Count", std::to_string(*found.count));
    if (query.offset + found.entities.size() < *found.count && query.limit > 0) {
      std::string target = req.path + "?";
      const auto question = req.target.find('?');
      std::string rest = question == std::string::npos ? "" : req.target.substr(question + 1);
      std::string kept;
      for (const auto& pair : splitOn(rest, '&')) {
        if (pair.starts_with("offset=") || pair.empty()) continue;
        kept += pair + "&";
      }
      res.set_header("Link", "<" + target + kept + "offset=" + std::to_string(query.offset + query.limit) +
                                 ">; rel=\"next\"; type=\"application/ld+json\"");
    }
    if (!shape.wantsJsonLd) setContextLink(res, shape);
    res.status = 200;
    res.set_content(out, shape.wantsJsonLd ? kJsonLd : kJson);
  }

  // POST /temporal/entityOperations/query (clause 5.7.5): the query body (entities, attrs, q, geoQ,
  // temporalQ, aggrParams) read as the parameters of GET /temporal/entities, which then answers it; paging
  // and options from the URL still apply.
  void postTemporalQuery(const httplib::Request& req, httplib::Response& res) {
    const Payload payload = readPayload(req);
    const json& body = payload.body;
    if (!body.is_object() || body.value("type", "") != "Query")
      badData("a query body is {\"type\": \"Query\", ...}");
    std::vector<std::pair<std::string, std::string>> params;
    const auto text = [](const json& value, const char* what) {
      if (value.is_string()) return value.get<std::string>();
      if (value.is_array()) {
        std::string joined;
        for (const auto& item : value) {
          if (!item.is_string()) badData(std::string(what) + " must hold strings");
          if (!joined.empty()) joined += ',';
          joined += item.get<std::string>();
        }
        return joined;
      }
      badData(std::string(what) + " must be a string or an array of strings");
    };
    if (body.contains("entities")) {
      const json& entities = body["entities"];
      if (!entities.is_array() || entities.empty()) badData("entities must be a non-empty array");
      std::vector<std::string> types;
      for (const auto& selector : entities) {
        if (!selector.is_object()) badData("entities members must be objects");
        if (selector.contains("type")) types.push_back(text(selector["type"], "entities[].type"));
        if (entities.size() > 1 && (selector.contains("id") || selector.contains("idPattern"))) {
          throw NgsiError(NgsiErrorType::OperationNotSupported,
                          "several entity selectors may only name types");
        }
        if (selector.contains("id")) params.emplace_back("id", text(selector["id"], "entities[].id"));
        if (selector.contains("idPattern"))
          params.emplace_back("idPattern", text(selector["idPattern"], "idPattern"));
      }
      if (!types.empty()) params.emplace_back("type", text(json(types), "type"));
    }
    if (body.contains("attrs")) params.emplace_back("attrs", text(body["attrs"], "attrs"));
    if (body.contains("q")) params.emplace_back("q", text(body["q"], "q"));
    if (body.contains("geoQ")) {
      const json& geoQ = body["geoQ"];
      if (!geoQ.is_object()) badData("geoQ must be an object");
      for (const char* member : {"georel", "geometry", "geoproperty"}) {
        if (geoQ.contains(member)) params.emplace_back(member, text(geoQ[member], member));
      }
      if (geoQ.contains("coordinates")) {
        params.emplace_back("coordinates", geoQ["coordinates"].is_string()
                                               ? geoQ["coordinates"].get<std::string>()
                                               : geoQ["coordinates"].dump());
      }
    }
    json aggregation = body.value("aggrParams", json::object());
    if (body.contains("temporalQ")) {
      const json& temporalQ = body["temporalQ"];
      if (!temporalQ.is_object()) badData("temporalQ must be an object");
      for (const char* member : {"timerel", "timeAt", "endTimeAt"}) {
        if (temporalQ.contains(member)) params.emplace_back(member, text(temporalQ[member], member));
      }
      if (temporalQ.contains("timeproperty")) {
        const std::string property = text(temporalQ["timeproperty"], "timeproperty");
        if (property != "observedAt" && property != "createdAt" && property != "modifiedAt" &&
            property != "deletedAt") {
          badData("timeproperty must be observedAt, createdAt, modifiedAt or deletedAt");
        }
      }
      if (temporalQ.contains("lastN")) {
        const json& lastN = temporalQ["lastN"];
        if (!lastN.is_number_integer() || lastN.get<std::int64_t>() <= 0)
          badData("lastN must be a positive integer");
        params.emplace_back("lastN", std::to_string(lastN.get<std::int64_t>()));
      }
      for (const char* member : {"aggrMethods", "aggrPeriodDuration"}) {
        if (temporalQ.contains(member)) aggregation[member] = temporalQ[member];
      }
    }
    std::string options = param(req, "options");
    if (aggregation.contains("aggrMethods")) {
      params.emplace_back("aggrMethods", text(aggregation["aggrMethods"], "aggrMethods"));
      if (!options.empty()) options += ',';
      options += "aggregatedValues";
    }
    if (aggregation.contains("aggrPeriodDuration")) {
      params.emplace_back("aggrPeriodDuration",
                          text(aggregation["aggrPeriodDuration"], "aggrPeriodDuration"));
    }
    for (const char* name : {"limit", "offset", "count", "format", "pick", "omit"}) {
      if (hasParam(req, name)) params.emplace_back(name, param(req, name));
    }
    if (!options.empty()) params.emplace_back("options", options);
    httplib::Request query;
    query.method = "GET";
    query.path = "/ngsi-ld/v1/temporal/entities";
    query.target = query.path + "?";
    for (const auto& [name, value] : params) query.target += name + "=" + percentEncode(value) + "&";
    query.headers = req.headers;
    if (payload.jsonLd) {
      // The body's @context becomes the query's: the Link-free path reads it through the payload's context.
      query.headers.erase("Link");
      const std::string url = contextFor(payload, body)->linkUrl();
      if (!url.empty())
        query.headers.emplace("Link", "<" + url + ">; rel=\"http://www.w3.org/ns/json-ld#context\"");
    }
    queryTemporal(query, res);
  }

  // POST /temporal/entities: creates the entity with its instances (201) or adds them to it (204).
  void createTemporal(const httplib::Request& req, httplib::Response& res) {
    const Payload payload = readPayload(req, true);
    if (!payload.body.is_object()) badData("a temporal entity must be a JSON object");
    auto writes = temporalWrites(payload.body, *contextFor(payload, payload.body));
    const std::string id = writes.front().entity.id;
    const auto results = tenantOf(req, true).store->write(std::move(writes));
    for (const auto& result : results) {
      if (result.error) throw *result.error;
    }
    if (results.front().created) {
      res.status = 201;
      res.set_header("Location", "/ngsi-ld/v1/temporal/entities/" + id);
    } else {
      res.status = 204;
    }
  }

  // POST /temporal/entities/{id}/attrs: adds instances to an existing entity's attributes.
  void appendTemporal(const httplib::Request& req, httplib::Response& res) {
    const std::string id = entityIdFrom(req);
    const Payload payload = readPayload(req);
    if (!payload.body.is_object()) badData("the payload must be a JSON object");
    EntityRepository& store = *tenantOf(req).store;
    const auto current = store.get(id);
    if (!current) throw NgsiError(NgsiErrorType::ResourceNotFound, "entity " + id + " does not exist");
    const auto context = contextFor(payload, payload.body);
    json body = payload.body;
    body["id"] = id;
    json types = json::array();
    for (const auto& t : current->types) types.push_back(context->compact(t));
    body["type"] = types;
    auto writes = temporalWrites(body, *context);
    if (writes.front().entity.attributes.empty()) badData("the payload holds no attributes");
    for (const auto& result : store.write(std::move(writes))) {
      if (result.error) throw *result.error;
    }
    res.status = 204;
  }

  void deleteTemporal(const httplib::Request& req, httplib::Response& res) {
    WriteOperation op;
    op.kind = WriteKind::Delete;
    op.purgeHistory = true;
    op.entity.id = entityIdFrom(req);
    std::vector<WriteOperation> ops;
    ops.push_back(std::move(op));
    const auto results = tenantOf(req).store->write(std::move(ops));
    if (results[0].error) throw *results[0].error;
    res.status = 204;
  }

  void install() {
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (const auto unknown = unknownNgsiParameter(req)) {
        sendProblem(res,
                    NgsiError(NgsiErrorType::InvalidRequest, "unknown query parameter '" + *unknown + "'"));
        return httplib::Server::HandlerResponse::Handled;
      }
      if (options.token.empty() && options.tenantTokens.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const std::string authorization = req.get_header_value("Authorization");
      if (!options.token.empty() && authorization == "Bearer " + options.token) {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      if (const auto bound = authorization.starts_with("Bearer ") ? options.tenantTokens.find(authorization.substr(7))
                                                                  : options.tenantTokens.end();
          bound != options.tenantTokens.end()) {
        if (req.get_header_value("NGSILD-Tenant") == bound->second) return httplib::Server::HandlerResponse::Unhandled;
        sendProblem(res, NgsiError(NgsiErrorType::Forbidden,
                                   bound->second.empty() ? "this token is bound to the default tenant"
                                                         : "this token is bound to tenant '" + bound->second + "'"));
        return httplib::Server::HandlerResponse::Handled;
      }
      sendProblem(res, NgsiError(NgsiErrorType::Unauthorized, "a valid bearer token is required"));
      return httplib::Server::HandlerResponse::Handled;
    });
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      if (res.status == 413) {
        sendProblem(res, NgsiError(NgsiErrorType::PayloadTooLarge, "the body exceeds the service's limit"));
      } else if (res.status == 404) {
        sendProblem(res, NgsiError(NgsiErrorType::ResourceNotFound, "no such resource"));
      } else if (res.status == 400) {
        sendProblem(res, NgsiError(NgsiErrorType::InvalidRequest, "malformed HTTP request"));
      } else {
        return httplib::Server::HandlerResponse::Unhandled;
      }
      return httplib::Server::HandlerResponse::Handled;
    }));

    server.Post(R"(/ngsi-ld/v1/entities/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const Payload payload = readPayload(req, true);
      if (!payload.body.is_object()) badData("an entity must be a JSON object");
      WriteOperation op;
      op.kind = WriteKind::Create;
      op.entity = parseEntity(payload.body, *contextFor(payload, payload.body));
      const std::string id = op.entity.id;
      std::vector<WriteOperation> ops;
      ops.push_back(std::move(op));
      const auto results = tenantOf(req, true).store->write(std::move(ops));
      if (results[0].error) throw *results[0].error;
      res.status = 201;
      res.set_header("Location", kEntitiesPrefix + id);
    }));
    server.Get(R"(/ngsi-ld/v1/entities/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      queryEntities(req, res);
    }));
    const auto writeAttribute = guarded([this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = entityIdFrom(req);
      const Payload payload = readPayload(req);
      const auto context = contextFor(payload, payload.body);
      const std::string name = req.matches[2];
      if (!isValidAttributeName(name)) badData("attribute name '" + name + "' is not valid");
      WriteOperation op;
      op.kind = WriteKind::PatchAttr;
      op.entity.id = id;
      op.attribute = context->expand(name);
      json fragment = payload.body;
      if (fragment.is_object()) fragment.erase("@context");
      op.entity.attributes[op.attribute].push_back(parseAttribute(name, fragment, *context));
      std::vector<WriteOperation> ops;
      ops.push_back(std::move(op));
      const auto results = tenantOf(req).store->write(std::move(ops));
      if (results[0].error) throw *results[0].error;
      res.status = 204;
    });
    // PATCH (partial update) and PUT (replace) of one attribute: the attribute must exist; the payload's
    // instance replaces the one of its datasetId.
    server.Patch(R"(/ngsi-ld/v1/entities/(.+)/attrs/([^/]+)/?)", writeAttribute);
    server.Put(R"(/ngsi-ld/v1/entities/(.+)/attrs/([^/]+)/?)", writeAttribute);
    server.Delete(R"(/ngsi-ld/v1/entities/(.+)/attrs/([^/]+)/?)",
                  guarded([this](const httplib::Request& req, httplib::Response& res) {
                    const std::string id = entityIdFrom(req);
                    const RequestShape shape = readShape(req);
                    const std::string name = req.matches[2];
                    WriteOperation op;
                    op.kind = WriteKind::DeleteAttr;
                    op.entity.id = id;
                    op.attribute = shape.context->expand(name);
                    op.deleteAllInstances = param(req, "deleteAll") == "true";
                    op.datasetId = param(req, "datasetId");
                    std::vector<WriteOperation> ops;
                    ops.push_back(std::move(op));
                    const auto results = tenantOf(req).store->write(std::move(ops));
                    if (results[0].error) throw *results[0].error;
                    res.status = 204;
                  }));
    const auto attrsWrite = [this](WriteKind kind) {
      return guarded([this, kind](const httplib::Request& req, httplib::Response& res) {
        const std::string id = entityIdFrom(req);
        const Payload payload = readPayload(req);
        const auto context = contextFor(payload, payload.body);
        WriteOperation op;
        op.kind = kind;
        op.entity.id = id;
        op.entity.attributes = parseAttributes(payload.body, *context);
        if (op.entity.attributes.empty()) badData("the payload holds no attributes");
        op.noOverwrite = hasOption(req, "noOverwrite");
        std::set<std::string> names;
        for (const auto& [name, instances] : op.entity.attributes) names.insert(name);
        std::vector<WriteOperation> ops;
        ops.push_back(std::move(op));
        const auto results = tenantOf(req).store->write(std::move(ops));
        updateResult(res, results[0], names, *context);
      });
    };
    server.Patch(R"(/ngsi-ld/v1/entities/(.+)/attrs/?)", attrsWrite(WriteKind::UpdateAttrs));
    server.Post(R"(/ngsi-ld/v1/entities/(.+)/attrs/?)", attrsWrite(WriteKind::AppendAttrs));
    server.Get(R"(/ngsi-ld/v1/entities/([^/]+)/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = entityIdFrom(req);
      const RequestShape shape = readShape(req, true);
      const auto entity = tenantOf(req).store->get(id);
      if (!entity) throw NgsiError(NgsiErrorType::ResourceNotFound, "entity " + id + " does not exist");
      respondEntities(res, shape, serializeEntity(*entity, shape.context.get(), shape.serialize));
    }));
    server.Delete(R"(/ngsi-ld/v1/entities/([^/]+)/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      WriteOperation op;
      op.kind = WriteKind::Delete;
      op.entity.id = entityIdFrom(req);
      std::vector<WriteOperation> ops;
      ops.push_back(std::move(op));
      const auto results = tenantOf(req).store->write(std::move(ops));
      if (results[0].error) throw *results[0].error;
      res.status = 204;
    }));
    server.Patch(
        R"(/ngsi-ld/v1/entities/([^/]+)/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { mergeEntity(req, res); }));
    server.Put(
        R"(/ngsi-ld/v1/entities/([^/]+)/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { replaceEntity(req, res); }));
    server.Post(R"(/ngsi-ld/v1/entityOperations/merge/?)",
                guarded([this](const httplib::Request& req, httplib::Response& res) {
                  runBatch(req, res, WriteKind::Update, true);
                }));
    server.Post(R"(/ngsi-ld/v1/entityOperations/query/?)",
                guarded([this](const httplib::Request& req, httplib::Response& res) { postQuery(req, res); }));
    server.Post(R"(/ngsi-ld/v1/entityOperations/(create|upsert|update|delete)/?)",
                guarded([this](const httplib::Request& req, httplib::Response& res) {
                  const std::string operation = req.matches[1];
                  const WriteKind kind = operation == "create"   ? WriteKind::Create
                                         : operation == "upsert" ? WriteKind::Upsert
                                         : operation == "update" ? WriteKind::Update
                                                                 : WriteKind::Delete;
                  runBatch(req, res, kind);
                }));
    server.Post(
        R"(/ngsi-ld/v1/temporal/entities/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { createTemporal(req, res); }));
    server.Post(R"(/ngsi-ld/v1/temporal/entityOperations/query/?)",
                guarded([this](const httplib::Request& req, httplib::Response& res) {
                  postTemporalQuery(req, res);
                }));
    server.Get(
        R"(/ngsi-ld/v1/temporal/entities/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { queryTemporal(req, res); }));
    server.Post(
        R"(/ngsi-ld/v1/temporal/entities/([^/]+)/attrs/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { appendTemporal(req, res); }));
    server.Get(R"(/ngsi-ld/v1/temporal/entities/([^/]+)/?)",
               guarded([this](const httplib::Request& req, httplib::Response& res) { temporalEntity(req, res); }));
    server.Delete(
        R"(/ngsi-ld/v1/temporal/entities/([^/]+)/?)",
        guarded([this](const httplib::Request& req, httplib::Response& res) { deleteTemporal(req, res); }));
    const auto notify = guarded([this](const httplib::Request& req, httplib::Response& res) {
      const Payload payload = readPayload(req, true);
      if (!payload.body.is_object() || payload.body.value("type", "") != "Notification" ||
          !payload.body.contains("data") || !payload.body["data"].is_array()) {
        badData("a notification is {\"type\": \"Notification\", \"data\": [entities]}");
      }
      const auto notificationContext = contextFor(payload, payload.body);
      std::vector<WriteOperation> operations;
      for (const auto& item : payload.body["data"]) {
        WriteOperation op;
        op.kind = WriteKind::Upsert;
        op.mergeAttributes = true;  // a notification may carry only the watched attributes
        op.entity = parseEntity(item, item.is_object() && item.contains("@context") ? *resolveContext(item["@context"], payload.documents)
                                                                                     : *notificationContext);
        operations.push_back(std::move(op));
      }
      const auto results = tenantOf(req, true).store->write(std::move(operations));
      for (const auto& result : results) {
        if (result.error) throw *result.error;
      }
      res.status = 204;
    });
    server.Post("/ngsi-ld/v1/notify", notify);
    server.Post("/notify", notify);
    server.Get("/citytwin/v1/health", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(json{{"status", "ok"}, {"entities", store.entityCount()}}.dump(), kJson);
    });
    server.Get("/citytwin/v1/state", guarded([this](const httplib::Request&, httplib::Response& res) {
      if (!options.stateSummary) throw NgsiError(NgsiErrorType::ResourceNotFound, "the service runs without a city");
      res.set_content(options.stateSummary().dump(), kJson);
    }));
    installWhatIf();
    if (options.city) {
      featuresApi = std::make_unique<FeaturesApi>(*options.city, options.stateSummary);
      featuresApi->install(server);
    }
    installContexts();
    installSubscriptions();
  }

  // The @context a write names, as a value to keep with what it wrote (null: the core context).
  static json contextValueOf(const Payload& payload) {
    if (payload.jsonLd) return payload.body.is_object() ? payload.body.value("@context", json()) : json();
    const std::string url = payload.linkContext ? payload.linkContext->linkUrl() : std::string();
    return url.empty() || url == kCoreContextUrl ? json() : json(url);
  }

  void respondSubscription(httplib::Response& res, const RequestShape& shape, json document) {
    if (shape.wantsJsonLd) {
      document["@context"] = shape.context->value();
      res.set_content(document.dump(), kJsonLd);
      return;
    }
    res.set_content(document.dump(), kJson);
  }

  // /subscriptions (GS CIM 009 clause 5.8), per tenant.
  void installSubscriptions() {
    server.Post(R"(/ngsi-ld/v1/subscriptions/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const Payload payload = readPayload(req, true);
      if (!payload.body.is_object()) badData("a subscription must be a JSON object");
      contextFor(payload, payload.body);  // 400 for @context in application/json, 503 when unavailable
      const std::string id = tenantOf(req, true).subscriptions->create(payload.body, contextValueOf(payload));
      res.status = 201;
      res.set_header("Location", "/ngsi-ld/v1/subscriptions/" + id);
    }));
    server.Get(R"(/ngsi-ld/v1/subscriptions/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const RequestShape shape = readShape(req);
      const auto all = tenantOf(req).subscriptions->list(shape.serialize.systemAttributes);
      const std::size_t limit = hasParam(req, "limit") ? parseCount(param(req, "limit"), "limit") : options.defaultLimit;
      const std::size_t offset = hasParam(req, "offset") ? parseCount(param(req, "offset"), "offset") : 0;
      if (limit > options.maxResults) {
        throw NgsiError(NgsiErrorType::TooManyResults, "limit exceeds the maximum of " + std::to_string(options.maxResults));
      }
      json page = json::array();
      for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i) {
        json item = all[i];
        if (shape.wantsJsonLd) {
          item["@context"] = shape.context->value();
        }
        page.push_back(std::move(item));
      }
      if (param(req, "count") == "true") res.set_header("NGSILD-Results-Count", std::to_string(all.size()));
      res.set_content(page.dump(), shape.wantsJsonLd ? kJsonLd : kJson);
    }));
    const auto noCollectionMethod = [](const httplib::Request&, httplib::Response& res) {
      sendProblem(res, NgsiError(NgsiErrorType::BadRequestData, "a subscription id is needed"));
      res.status = 405;
      res.set_header("Allow", "GET, POST");
    };
    server.Delete(R"(/ngsi-ld/v1/subscriptions/?)", noCollectionMethod);
    server.Patch(R"(/ngsi-ld/v1/subscriptions/?)", noCollectionMethod);
    const auto subscriptionId = [](const httplib::Request& req) {
      const std::string id = percentDecode(std::string(req.matches[1]));
      requireUri(id, "subscription id");
      return id;
    };
    server.Get(R"(/ngsi-ld/v1/subscriptions/([^/]+)/?)",
               guarded([this, subscriptionId](const httplib::Request& req, httplib::Response& res) {
                 const std::string id = subscriptionId(req);
                 const RequestShape shape = readShape(req);
                 const auto document = tenantOf(req).subscriptions->get(id, shape.serialize.systemAttributes);
                 if (!document) throw NgsiError(NgsiErrorType::ResourceNotFound, "subscription " + id + " does not exist");
                 respondSubscription(res, shape, *document);
               }));
    server.Patch(R"(/ngsi-ld/v1/subscriptions/([^/]+)/?)",
                 guarded([this, subscriptionId](const httplib::Request& req, httplib::Response& res) {
                   const std::string id = subscriptionId(req);
                   const Payload payload = readPayload(req);
                   contextFor(payload, payload.body);
                   tenantOf(req).subscriptions->patch(id, payload.body, contextValueOf(payload));
                   res.status = 204;
                 }));
    server.Delete(R"(/ngsi-ld/v1/subscriptions/([^/]+)/?)",
                  guarded([this, subscriptionId](const httplib::Request& req, httplib::Response& res) {
                    const std::string id = subscriptionId(req);
                    if (!tenantOf(req).subscriptions->erase(id)) {
                      throw NgsiError(NgsiErrorType::ResourceNotFound, "subscription " + id + " does not exist");
                    }
                    res.status = 204;
                  }));
  }

  static json contextDetails(const ContextDocument& document) {
    return json{{"URL", document.url},
                {"localId", "urn:ngsi-ld:jsonldContext:" + document.localId},
                {"kind", std::string(toString(document.kind))},
                {"createdAt", document.createdAt}};
  }

  // The /jsonldContexts API (GS CIM 009 clause 5.13): hosted documents are served at the URL the POST
  // answers; cached ones are the remote documents the tenant fetched or was preloaded with.
  void installContexts() {
    server.Post(R"(/ngsi-ld/v1/jsonldContexts/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const Payload payload = readPayload(req, true);
      try {
        validateContextDocument(payload.body);
      } catch (const ContextError& e) {
        badData(e.detail());
      }
      const json& value = payload.body["@context"];
      if (!value.is_object() && !value.is_array()) badData("a hosted @context must be an object or an array");
      resolveContext(value);  // refuses malformed term definitions now rather than at first use
      ContextDocuments& documents = *tenantOf(req, true).contexts;
      static std::atomic<std::uint64_t> counter{0};
      const std::string localId = std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(
                                                      std::chrono::system_clock::now().time_since_epoch())
                                                      .count()) +
                                  "-" + std::to_string(counter++);
      const std::string host = req.get_header_value("Host");
      const std::string url = "http://" + (host.empty() ? std::string("localhost") : host) +
                              "/ngsi-ld/v1/jsonldContexts/" + localId;
      documents.put(ContextDocument{url, localId, ContextDocumentKind::Hosted, payload.body, {}});
      res.status = 201;
      res.set_header("Location", url);
    }));
    server.Get(R"(/ngsi-ld/v1/jsonldContexts/?)", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const bool details = param(req, "details") == "true";
      const std::string kind = param(req, "kind");
      if (!kind.empty() && kind != "Hosted" && kind != "Cached" && kind != "ImplicitlyCreated") {
        badData("kind must be Hosted, Cached or ImplicitlyCreated");
      }
      json list = json::array();
      for (const auto& document : tenantOf(req).contexts->list()) {
        if (!kind.empty() && kind != toString(document.kind)) continue;
        list.push_back(details ? contextDetails(document) : json(document.url));
      }
      res.set_content(list.dump(), kJson);
    }));
    const auto documentId = [](const httplib::Request& req) {
      std::string id = percentDecode(std::string(req.matches[1]));
      if (id.starts_with("urn:ngsi-ld:jsonldContext:")) id = id.substr(std::string_view("urn:ngsi-ld:jsonldContext:").size());
      return id;
    };
    server.Get(R"(/ngsi-ld/v1/jsonldContexts/(.+))",
               guarded([this, documentId](const httplib::Request& req, httplib::Response& res) {
                 const auto document = tenantOf(req).contexts->find(documentId(req));
                 if (!document) throw NgsiError(NgsiErrorType::ResourceNotFound, "no such @context");
                 if (param(req, "details") == "true") {
                   res.set_content(contextDetails(*document).dump(), kJson);
                 } else {
                   res.set_content(document->document.dump(), kJsonLd);
                 }
               }));
    server.Delete(R"(/ngsi-ld/v1/jsonldContexts/(.+))",
                  guarded([this, documentId](const httplib::Request& req, httplib::Response& res) {
                    ContextDocuments& documents = *tenantOf(req).contexts;
                    const auto document = documents.find(documentId(req));
                    if (!document) throw NgsiError(NgsiErrorType::ResourceNotFound, "no such @context");
                    const bool reload = param(req, "reload") == "true";
                    if (reload && document->kind == ContextDocumentKind::Hosted) {
                      badData("reload applies to cached contexts; a hosted one is deleted or kept");
                    }
                    documents.erase(document->url);
                    if (reload) documents.contextValue(document->url);
                    res.status = 204;
                  }));
  }

  WhatIfJobs& requireWhatIfs() {
    if (whatIfs == nullptr) {
      throw NgsiError(NgsiErrorType::ResourceNotFound, "the service runs without a city, so it runs no what-ifs");
    }
    return *whatIfs;
  }

  void installWhatIf() {
    server.Post("/citytwin/v1/whatif", guarded([this](const httplib::Request& req, httplib::Response& res) {
      WhatIfJobs& jobs = requireWhatIfs();
      if (req.body.size() > options.maxScenarioBytes) {
        throw NgsiError(NgsiErrorType::PayloadTooLarge, "a scenario may hold at most " +
                                                            std::to_string(options.maxScenarioBytes) + " bytes");
      }
      const std::string type = req.get_header_value("Content-Type");
      const std::string mediaType = type.substr(0, type.find(';'));
      if (!mediaType.empty() && mediaType != "application/toml" && mediaType != "text/plain" &&
          mediaType != "application/x-toml") {
        throw NgsiError(NgsiErrorType::UnsupportedMediaType,
                        "a what-if is a scenario file: Content-Type application/toml or text/plain, not '" + type + "'");
      }
      if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        badData("the body must be a scenario file (TOML, see scenarios/README.md)");
      }
      const json document = jobs.submit(req.body);
      res.status = 202;
      res.set_header("Location", "/citytwin/v1/whatif/" + document["id"].get<std::string>());
      res.set_content(document.dump(), kJson);
    }));
    server.Get(R"(/citytwin/v1/whatif/([^/]+))", guarded([this](const httplib::Request& req, httplib::Response& res) {
      const std::string id = req.matches[1];
      const auto document = requireWhatIfs().status(id);
      if (!document) throw NgsiError(NgsiErrorType::ResourceNotFound, "no what-if job '" + id + "'");
      res.set_content(document->dump(), kJson);
    }));
  }
};

ContextService::ContextService(ServiceOptions options) : options_(std::move(options)) {
  if (!options_.storeUrl.empty()) {
#ifdef CITYTWIN_HAS_POSTGRESQL
    store_ = std::make_unique<postgres::PostgresEntityRepository>(
        postgres::PostgresRepositoryOptions{options_.storeUrl, std::max<std::size_t>(4, options_.threads)});
#else
    throw Error("context service: this citytwin was built without libpq (libpq-dev); no PostgreSQL store");
#endif
  } else {
    if (options_.databasePath.empty()) throw Error("context service: no database path");
    store_ = std::make_unique<SqliteEntityRepository>(
        SqliteRepositoryOptions{options_.databasePath, options_.synchronousFull});
  }
  if (options_.whatIf) {
    whatIfs_ = std::make_unique<WhatIfJobs>(*options_.whatIf, *store_, options_.maxWaitingWhatIfs);
  }
  openTenants();
  routes_ = std::make_unique<Routes>(options_, *store_, whatIfs_.get(), *tenants_);
  routes_->install();
  auto& server = routes_->server;
  server.set_payload_max_length(options_.maxBodyBytes);
  server.set_tcp_nodelay(true);
  // cpp-httplib sets SO_REUSEPORT by default, which lets a second service bind the same port and take half
  // of the requests. SO_REUSEADDR alone still allows a restart while old connections linger in TIME_WAIT.
  server.set_socket_options([](auto socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.set_keep_alive_max_count(1u << 20);
  const std::size_t threads = std::max<std::size_t>(2, options_.threads);
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

void ContextService::openTenants() {
  brokerState_ = std::make_unique<BrokerState>(options_.databasePath.string() + "-broker.sqlite");
  TenantSettings settings;
  const auto databasePath = options_.databasePath;
  const bool synchronousFull = options_.synchronousFull;
  settings.openStore = [databasePath, synchronousFull](const std::string& tenant) -> std::unique_ptr<EntityRepository> {
    return std::make_unique<SqliteEntityRepository>(
        SqliteRepositoryOptions{databasePath.string() + "-tenant-" + tenant + ".sqlite", synchronousFull});
  };
  if (!options_.contextFetch.offline) settings.fetcher = makeContextFetcher(options_.contextFetch);
  settings.contextFolders = options_.contextCacheFolders;
  settings.onOpen = [this](Tenant& tenant) {
    tenant.subscriptions = std::make_unique<Subscriptions>(tenant.name, *brokerState_, *tenant.store, *tenant.contexts);
    if (!tenant.ownedStore) return;  // the default store's listener is installed below
    Subscriptions* subscriptions = tenant.subscriptions.get();
    tenant.store->setChangeListener([subscriptions](const std::vector<Entity>& changed) {
      subscriptions->entitiesChanged(changed);
    });
  };
  tenants_ = std::make_unique<TenantRegistry>(*store_, *brokerState_, std::move(settings));
  Subscriptions* defaultSubscriptions = tenants_->get("", false).subscriptions.get();
  store_->setChangeListener([this, defaultSubscriptions](const std::vector<Entity>& changed) {
    defaultSubscriptions->entitiesChanged(changed);
    if (changeListener_) changeListener_(changed);
  });
}

void ContextService::setChangeListener(ChangeListener listener) { changeListener_ = std::move(listener); }

ContextService::~ContextService() {
  stop();
  routes_.reset();
  tenants_.reset();
  whatIfs_.reset();
  store_.reset();
}

int ContextService::start() {
  auto& server = routes_->server;
  if (options_.port == 0) {
    port_ = server.bind_to_any_port(options_.bindAddress);
  } else {
    port_ = server.bind_to_port(options_.bindAddress, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    throw Error("context service: cannot listen on " + options_.bindAddress + ":" + std::to_string(options_.port) +
                " (is port " + std::to_string(options_.port) + " already in use?)");
  }
  thread_ = std::thread([&server] { server.listen_after_bind(); });
  // stop() right after start() would otherwise come before the listening loop and leave it accepting
  // forever (cpp-httplib's stop() only ends a server that already runs).
  for (int waited = 0; !server.is_running() && waited < 5000; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return port_;
}

void ContextService::wait() {
  if (thread_.joinable()) thread_.join();
}

void ContextService::stop() {
  if (routes_) routes_->server.stop();
  if (whatIfs_) whatIfs_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace citytwin::server
