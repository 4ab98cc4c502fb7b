#include "citytwin/server/subscriptions.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <set>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_query.hpp"
#include "citytwin/context/json_ld_context.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/server/broker_state.hpp"
#include "citytwin/server/mqtt_publisher.hpp"
#include "citytwin/server/ngsi_error.hpp"

namespace citytwin::server {

using namespace citytwin::context;
using nlohmann::json;

namespace {

[[noreturn]] void badData(const std::string& detail) {
  throw NgsiError(NgsiErrorType::BadRequestData, detail);
}

std::int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string nowText() {
  return formatDateTime(nowMs());
}

double positiveSeconds(const json& value, const char* name) {
  if (!value.is_number() || value.get<double>() <= 0)
    badData(std::string(name) + " must be a positive number of seconds");
  return value.get<double>();
}

std::vector<std::string> stringList(const json& value, const char* name) {
  if (!value.is_array() || value.empty()) badData(std::string(name) + " must be a non-empty array of names");
  std::vector<std::string> out;
  for (const auto& item : value) {
    if (!item.is_string() || item.get<std::string>().empty()) badData(std::string(name) + " must hold names");
    out.push_back(item.get<std::string>());
  }
  return out;
}

// Where a stored subscription keeps the @context it was written with (not an NGSI-LD member).
constexpr const char* kContextKey = "citytwin:writtenWith";

const std::set<std::string>& knownTriggers() {
  static const std::set<std::string> triggers{"entityCreated",    "entityUpdated",    "entityDeleted",
                                              "attributeCreated", "attributeUpdated", "attributeDeleted"};
  return triggers;
}

// pick/omit (clause 5.8): non-empty lists of member names that do not overlap, not beside attributes.
void validateProjection(const json& holder, const char* where, bool hasAttributes) {
  std::set<std::string> picked;
  for (const char* key : {"pick", "omit"}) {
    if (!holder.contains(key)) continue;
    if (hasAttributes) badData(std::string(where) + key + " cannot be combined with attributes");
    const auto names = stringList(holder[key], key);
    if (std::string(key) == "pick") {
      picked.insert(names.begin(), names.end());
    } else {
      for (const auto& name : names) {
        if (picked.count(name) != 0) badData("'" + name + "' is both picked and omitted");
      }
    }
  }
}

// receiverInfo / notifierInfo: arrays of {"key": string, "value": string}.
void validateKeyValuePairs(const json& endpoint, const char* key) {
  if (!endpoint.contains(key)) return;
  const auto& pairs = endpoint[key];
  if (!pairs.is_array()) badData(std::string("endpoint.") + key + " must be an array of {key, value}");
  for (const auto& pair : pairs) {
    if (!pair.is_object() || !pair.contains("key") || !pair.contains("value") || !pair["key"].is_string() ||
        !pair["value"].is_string()) {
      badData(std::string("endpoint.") + key + " members must be {\"key\": string, \"value\": string}");
    }
  }
}

}  // namespace

struct Subscriptions::Compiled {
  std::string id;
  json document;  // as posted (compact terms), with the status members kept up to date
  json contextValue;
  std::shared_ptr<const JsonLdContext> context;
  struct Selector {
    std::string id;
    std::optional<IdPattern> pattern;
    std::string type;
  };
  std::vector<Selector> selectors;
  std::set<std::string> watched;
  std::optional<QueryExpression> q;
  std::optional<GeoQuery> geo;
  SerializeOptions serialize;
  bool jsonLd = false;
  std::string endpoint;
  std::optional<MqttEndpoint> mqtt;                               // an mqtt:// endpoint
  std::vector<std::pair<std::string, std::string>> receiverInfo;  // sent as headers (MQTT: metadata)
  int mqttQos = 0;
  bool mqtt5 = false;
  double throttlingS = 0;
  double timeIntervalS = 0;
  std::optional<std::int64_t> expiresMs;
  bool active = true;
  // Delivery state (under the registry's mutex).
  std::map<std::string, std::string> watchedValues;  // entity id -> the watched attributes last seen
  std::int64_t lastSentMs = 0;
  std::chrono::steady_clock::time_point nextPeriodic{};
  std::chrono::steady_clock::time_point statusPersistedAt{};
  bool statusDirty = false;  // a delivery status not yet written to the broker state

  bool expired(std::int64_t now) const { return expiresMs && *expiresMs <= now; }

  bool selects(const Entity& entity) const {
    if (selectors.empty()) return true;
    return std::any_of(selectors.begin(), selectors.end(), [&](const Selector& s) {
      if (!s.type.empty() && !entity.hasType(s.type)) return false;
      if (!s.id.empty() && s.id != entity.id) return false;
      if (s.pattern && !s.pattern->matches(entity.id)) return false;
      return true;
    });
  }
};

// notifierInfo of an MQTT endpoint (GS CIM 009 clause 7.2.x): MQTT-QoS 0, 1 or 2 (default 0) and
// MQTT-Version mqtt3.1.1 (default) or mqtt5.0.
static void readMqttNotifierInfo(const json& endpoint, Subscriptions::Compiled& s) {
  if (!endpoint.contains("notifierInfo")) return;
  for (const auto& pair : endpoint["notifierInfo"]) {
    const std::string key = pair["key"].get<std::string>(), value = pair["value"].get<std::string>();
    if (key == "MQTT-QoS") {
      if (value != "0" && value != "1" && value != "2")
        badData("notifierInfo MQTT-QoS must be 0, 1 or 2, not '" + value + "'");
      s.mqttQos = value[0] - '0';
    } else if (key == "MQTT-Version") {
      if (value != "mqtt3.1.1" && value != "mqtt5.0")
        badData("notifierInfo MQTT-Version must be mqtt3.1.1 or mqtt5.0, not '" + value + "'");
      s.mqtt5 = value == "mqtt5.0";
    }
  }
}

struct Subscriptions::Change {
  std::shared_ptr<const std::vector<Entity>> batch;
  std::int64_t committedMs = 0;
};

struct Subscriptions::HttpClients {
  std::map<std::string, std::unique_ptr<httplib::Client>> byOrigin;
};

struct Subscriptions::Pending {
  std::shared_ptr<Compiled> subscription;
  std::shared_ptr<const std::vector<Entity>> batch;  // shared by every subscription the commit matched
  std::vector<std::uint32_t> selected;               // the entities of the batch this one notifies
  int attempt = 0;
  std::chrono::steady_clock::time_point due{};
};

Subscriptions::Subscriptions(std::string tenant, BrokerState& state, EntityRepository& store,
                             ContextDocuments& contexts)
    : tenant_(std::move(tenant)),
      state_(state),
      store_(store),
      contexts_(contexts),
      httpClients_(std::make_unique<HttpClients>()) {
  for (const auto& document : state_.subscriptions(tenant_)) {
    try {
      auto compiled = compile(document);
      subscriptions_[compiled->id] = compiled;
    } catch (const std::exception&) {
      // A stored subscription whose @context can no longer be had stays stored and listed, but idle.
      auto idle = std::make_shared<Compiled>();
      idle->id = document.value("id", "");
      idle->document = document;
      idle->active = false;
      if (!idle->id.empty()) subscriptions_[idle->id] = idle;
    }
  }
  worker_ = std::thread([this] { run(); });
}

Subscriptions::~Subscriptions() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  for (const auto& [id, s] : subscriptions_) {
    if (s->statusDirty) persist(*s);
  }
}

void Subscriptions::setDelivery(Delivery delivery) {
  std::lock_guard lock(mutex_);
  delivery_ = delivery;
}

std::shared_ptr<Subscriptions::Compiled> Subscriptions::compile(const json& document) const {
  auto s = std::make_shared<Compiled>();
  if (!document.is_object()) badData("a subscription must be a JSON object");
  s->document = document;
  s->id = document.value("id", "");
  if (!isValidUri(s->id)) badData("subscription id '" + s->id + "' is not a valid URI");
  if (document.value("type", "") != "Subscription") badData("type must be \"Subscription\"");
  s->contextValue = document.contains(kContextKey) ? json(document[kContextKey]) : json();
  s->context = s->contextValue.is_null() ? coreContext() : resolveContext(s->contextValue, &contexts_);
  const JsonLdContext& context = *s->context;
  if (document.contains("entities")) {
    const auto& entities = document["entities"];
    if (!entities.is_array() || entities.empty()) badData("entities must be a non-empty array");
    for (const auto& item : entities) {
      if (!item.is_object()) badData("every member of entities must be an object");
      Compiled::Selector selector;
      if (!item.contains("type") || !item["type"].is_string() || item["type"].get<std::string>().empty()) {
        badData("every member of entities needs a type");
      }
      selector.type = context.expand(item["type"].get<std::string>());
      if (item.contains("id")) {
        if (!item["id"].is_string() || !isValidUri(item["id"].get<std::string>()))
          badData("entities[].id must be a URI");
        selector.id = item["id"].get<std::string>();
      }
      if (item.contains("idPattern")) {
        if (!item["idPattern"].is_string()) badData("entities[].idPattern must be a string");
        selector.pattern.emplace(item["idPattern"].get<std::string>());
      }
      s->selectors.push_back(std::move(selector));
    }
  }
  if (document.contains("watchedAttributes")) {
    for (const auto& name : stringList(document["watchedAttributes"], "watchedAttributes")) {
      s->watched.insert(context.expand(name));
    }
  }
  if (document.contains("timeInterval"))
    s->timeIntervalS = positiveSeconds(document["timeInterval"], "timeInterval");
  if (document.contains("throttling")) s->throttlingS = positiveSeconds(document["throttling"], "throttling");
  if (document.contains("jsonldContext")) {
    const auto& url = document["jsonldContext"];
    if (!url.is_string() || !isValidUri(url.get<std::string>()) ||
        url.get<std::string>().find("://") == std::string::npos) {
      badData("jsonldContext must be the URL of a JSON-LD context");
    }
    resolveContext(url, &contexts_);  // unavailable: 503 LdContextNotAvailable
  }
  if (document.contains("notificationTrigger")) {
    for (const auto& trigger : stringList(document["notificationTrigger"], "notificationTrigger")) {
      if (knownTriggers().count(trigger) == 0) badData("unknown notificationTrigger '" + trigger + "'");
    }
  }
  if (s->timeIntervalS > 0 && (s->throttlingS > 0 || !s->watched.empty())) {
    badData("timeInterval cannot be combined with throttling or watchedAttributes");
  }
  if (s->selectors.empty() && s->watched.empty())
    badData("a subscription needs entities or watchedAttributes");
  if (document.contains("q")) {
    if (!document["q"].is_string()) badData("q must be a string");
    s->q = QueryExpression::parse(document["q"].get<std::string>(), context);
  }
  if (document.contains("geoQ")) {
    const auto& geoQ = document["geoQ"];
    if (!geoQ.is_object() || !geoQ.contains("georel") || !geoQ.contains("geometry") ||
        !geoQ.contains("coordinates")) {
      badData("geoQ needs georel, geometry and coordinates");
    }
    const auto& coordinates = geoQ["coordinates"];
    s->geo = GeoQuery::parse(geoQ.value("georel", ""), geoQ.value("geometry", ""),
                             coordinates.is_string() ? coordinates.get<std::string>() : coordinates.dump(),
                             context.expand(geoQ.value("geoproperty", "location")));
  }
  if (document.contains("expiresAt")) {
    const auto expires = document["expiresAt"].is_string()
                             ? parseDateTime(document["expiresAt"].get<std::string>())
                             : std::nullopt;
    if (!expires) badData("expiresAt must be an ISO 8601 DateTime");
    s->expiresMs = *expires;
  }
  if (document.contains("isActive")) {
    if (!document["isActive"].is_boolean()) badData("isActive must be true or false");
    s->active = document["isActive"].get<bool>();
  }
  if (!document.contains("notification") || !document["notification"].is_object()) {
    badData("a subscription needs a notification object");
  }
  const auto& notification = document["notification"];
  validateProjection(document, "", notification.contains("attributes"));
  validateProjection(notification, "notification.", notification.contains("attributes"));
  if (notification.contains("attributes")) {
    for (const auto& name : stringList(notification["attributes"], "notification.attributes")) {
      s->serialize.onlyAttributes.insert(context.expand(name));
    }
  }
  const std::string format = notification.value("format", "normalized");
  if (format == "keyValues" || format == "simplified") {
    s->serialize.representation = Representation::KeyValues;
  } else if (format == "concise") {
    s->serialize.representation = Representation::Concise;
  } else if (format != "normalized") {
    badData("notification.format must be normalized, concise or keyValues");
  }
  if (notification.value("showChanges", false) && s->serialize.representation == Representation::KeyValues) {
    badData("showChanges needs the normalized or concise format");
  }
  s->serialize.systemAttributes = notification.value("sysAttrs", false);
  if (!notification.contains("endpoint") || !notification["endpoint"].is_object() ||
      !notification["endpoint"].contains("uri") || !notification["endpoint"]["uri"].is_string()) {
    badData("notification.endpoint.uri is required");
  }
  validateKeyValuePairs(notification["endpoint"], "receiverInfo");
  validateKeyValuePairs(notification["endpoint"], "notifierInfo");
  s->endpoint = notification["endpoint"]["uri"].get<std::string>();
  if (notification["endpoint"].contains("receiverInfo")) {
    for (const auto& pair : notification["endpoint"]["receiverInfo"])
      s->receiverInfo.emplace_back(pair["key"].get<std::string>(), pair["value"].get<std::string>());
  }
  if (!isValidUri(s->endpoint)) badData("notification.endpoint.uri '" + s->endpoint + "' is not a valid URI");
  if (s->endpoint.starts_with("mqtt://")) {
    if (!MqttPublisher::available()) {
      throw NgsiError(NgsiErrorType::OperationNotSupported,
                      "this service was built without an MQTT client (libmosquitto); '" + s->endpoint +
                          "' cannot be notified");
    }
    s->mqtt = MqttEndpoint::parse(s->endpoint);
    readMqttNotifierInfo(notification["endpoint"], *s);
  } else if (!s->endpoint.starts_with("http://") && !s->endpoint.starts_with("https://")) {
    throw NgsiError(NgsiErrorType::OperationNotSupported,
                    "notification endpoints must be http(s):// or mqtt:// URLs ('" + s->endpoint + "')");
  }
  const std::string accept = notification["endpoint"].value("accept", "application/json");
  if (accept != "application/json" && accept != "application/ld+json") {
    badData("notification.endpoint.accept must be application/json or application/ld+json");
  }
  s->jsonLd = accept == "application/ld+json";
  return s;
}

// The representation of a subscription (clause 5.2.12): members as written, plus status and the default
// notificationTrigger; the delivery status appears once a notification was attempted; createdAt and
// modifiedAt only with sysAttrs.
static json presented(const json& document, bool expired, bool active, bool systemAttributes) {
  json out = document;
  out.erase(kContextKey);
  if (!systemAttributes) {
    out.erase("createdAt");
    out.erase("modifiedAt");
  }
  out["status"] = expired ? "expired" : active ? "active" : "paused";
  if (!out.contains("notificationTrigger"))
    out["notificationTrigger"] = {"attributeCreated", "attributeUpdated"};
  return out;
}

void Subscriptions::persist(const Compiled& subscription) const {
  state_.putSubscription(tenant_, subscription.id, subscription.document);
}

std::string Subscriptions::create(json body, const json& contextValue) {
  if (!body.is_object()) badData("a subscription must be a JSON object");
  body.erase("@context");
  if (!body.contains("id")) {
    static std::atomic<std::uint64_t> counter{0};
    body["id"] = "urn:ngsi-ld:Subscription:" + std::to_string(nowMs()) + "-" + std::to_string(counter++);
  }
  if (!contextValue.is_null()) body[kContextKey] = contextValue;
  if (body.contains("expiresAt") && body["expiresAt"].is_string()) {
    const auto expires = parseDateTime(body["expiresAt"].get<std::string>());
    if (expires && *expires <= nowMs()) badData("expiresAt lies in the past");
  }
  auto compiled = compile(body);
  compiled->document["createdAt"] = nowText();
  std::lock_guard lock(mutex_);
  if (subscriptions_.count(compiled->id) != 0) {
    throw NgsiError(NgsiErrorType::AlreadyExists, "subscription " + compiled->id + " already exists");
  }
  persist(*compiled);
  subscriptions_[compiled->id] = compiled;
  wake_.notify_all();
  return compiled->id;
}

std::vector<json> Subscriptions::list(bool systemAttributes) const {
  std::lock_guard lock(mutex_);
  std::vector<json> out;
  const auto now = nowMs();
  for (const auto& [id, s] : subscriptions_) {
    out.push_back(presented(s->document, s->expired(now), s->active, systemAttributes));
  }
  return out;
}

std::optional<json> Subscriptions::get(const std::string& id, bool systemAttributes) const {
  std::lock_guard lock(mutex_);
  const auto found = subscriptions_.find(id);
  if (found == subscriptions_.end()) return std::nullopt;
  return presented(found->second->document, found->second->expired(nowMs()), found->second->active,
                   systemAttributes);
}

void Subscriptions::patch(const std::string& id, json fragment, const json& contextValue) {
  if (!fragment.is_object() || fragment.empty())
    badData("a subscription update must be a non-empty JSON object");
  fragment.erase("@context");
  if (fragment.contains("id") || (fragment.contains("type") && fragment["type"] != "Subscription")) {
    badData("id and type of a subscription cannot change");
  }
  std::lock_guard matching(matchMutex_);  // the matching state moves to the patched subscription
  std::lock_guard lock(mutex_);
  const auto found = subscriptions_.find(id);
  if (found == subscriptions_.end())
    throw NgsiError(NgsiErrorType::ResourceNotFound, "subscription " + id + " does not exist");
  json document = found->second->document;
  for (const auto& [key, value] : fragment.items()) {
    if (key == "notification" && value.is_object() && document["notification"].is_object()) {
      for (const auto& [member, memberValue] : value.items()) document["notification"][member] = memberValue;
    } else if (value.is_null()) {
      document.erase(key);
    } else {
      document[key] = value;
    }
  }
  if (!contextValue.is_null()) document[kContextKey] = contextValue;
  document["modifiedAt"] = nowText();
  auto compiled = compile(document);
  compiled->watchedValues = found->second->watchedValues;
  compiled->lastSentMs = found->second->lastSentMs;
  persist(*compiled);
  found->second = compiled;
  wake_.notify_all();
}

bool Subscriptions::erase(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (subscriptions_.erase(id) == 0) return false;
  state_.eraseSubscription(tenant_, id);
  return true;
}

void Subscriptions::entitiesChanged(const std::vector<Entity>& changed) {
  // The commit path only copies the batch into the queue: matching runs on the worker, so a commit never
  // waits for the subscriptions to be evaluated (nor for a notification to be delivered).
  std::lock_guard lock(mutex_);
  const bool any = std::any_of(subscriptions_.begin(), subscriptions_.end(), [](const auto& entry) {
    return entry.second->active && entry.second->timeIntervalS <= 0 && entry.second->context;
  });
  if (!any || changed.empty()) return;
  if (changesQueued_ + changed.size() > delivery_.maxQueued && !changes_.empty()) {
    // Over the bound: the oldest changes are dropped, and every active subscription says it failed.
    changesQueued_ -= changes_.front().batch->size();
    changes_.pop_front();
    const std::string at = nowText();
    for (auto& [id, s] : subscriptions_) {
      if (!s->active) continue;
      s->document["notification"]["lastFailure"] = at;
      s->document["notification"]["status"] = "failed";
    }
  }
  changesQueued_ += changed.size();
  changes_.push_back(Change{std::make_shared<const std::vector<Entity>>(changed), nowMs()});
  wake_.notify_all();
}

void Subscriptions::match(const Change& change, const std::vector<std::shared_ptr<Compiled>>& subscriptions) {
  std::vector<Pending> out;
  {
    std::lock_guard matching(matchMutex_);
    const auto& changed = *change.batch;
    const auto now = change.committedMs;
    // Type membership once per commit and selector type, not once per subscription.
    std::map<std::string, std::vector<char>> ofType;
    const auto hasType = [&](const std::string& type, std::size_t i) {
      auto& flags = ofType[type];
      if (flags.empty()) {
        flags.resize(changed.size());
        for (std::size_t k = 0; k < changed.size(); ++k) flags[k] = changed[k].hasType(type) ? 1 : 0;
      }
      return flags[i] != 0;
    };
    for (const auto& s : subscriptions) {
      if (!s->active || s->expired(now) || s->timeIntervalS > 0 || !s->context) continue;
      std::vector<std::uint32_t> selected;
      for (std::size_t i = 0; i < changed.size(); ++i) {
        const Entity& entity = changed[i];
        if (!s->selectors.empty() &&
            std::none_of(s->selectors.begin(), s->selectors.end(), [&](const Compiled::Selector& selector) {
              if (!selector.type.empty() && !hasType(selector.type, i)) return false;
              if (!selector.id.empty() && selector.id != entity.id) return false;
              if (selector.pattern && !selector.pattern->matches(entity.id)) return false;
              return true;
            })) {
          continue;
        }
        if (!s->watched.empty()) {
          // Only a change of a watched attribute notifies: compare with what was seen last.
          std::string seen;
          for (const auto& name : s->watched) {
            const auto attribute = entity.attributes.find(name);
            if (attribute == entity.attributes.end()) continue;
            seen += name;
            for (const auto& instance : attribute->second)
              seen += '\x1f' + instance.value.dump() + instance.observedAt;
          }
          if (seen.empty()) continue;
          auto& last = s->watchedValues[entity.id];
          if (last == seen) continue;
          last = std::move(seen);
        }
        if (s->q && !s->q->matches(entity)) continue;
        if (s->geo && !s->geo->matches(entity)) continue;
        selected.push_back(static_cast<std::uint32_t>(i));
      }
      if (selected.empty()) continue;
      if (s->throttlingS > 0 && s->lastSentMs != 0 &&
          now - s->lastSentMs < static_cast<std::int64_t>(s->throttlingS * 1000)) {
        continue;  // within the throttling window: this change is not notified
      }
      s->lastSentMs = now;
      out.push_back(Pending{s, change.batch, std::move(selected), 0, std::chrono::steady_clock::now()});
    }
  }
  if (out.empty()) return;
  std::lock_guard lock(mutex_);
  for (auto& pending : out) {
    if (queue_.size() >= delivery_.maxQueued) {
      auto& notification = queue_.front().subscription->document["notification"];
      notification["lastFailure"] = nowText();
      notification["status"] = "failed";
      queue_.pop_front();
    }
    queue_.push_back(std::move(pending));
  }
}

void Subscriptions::recordOutcome(const std::string& id, bool success, const std::string& at) {
  std::lock_guard lock(mutex_);
  const auto found = subscriptions_.find(id);
  if (found == subscriptions_.end()) return;
  auto& notification = found->second->document["notification"];
  notification["lastNotification"] = at;
  notification[success ? "lastSuccess" : "lastFailure"] = at;
  notification["status"] = success ? "ok" : "failed";
  notification["timesSent"] = notification.value("timesSent", 0) + 1;
  // The delivery status is written to the broker state at most once a second per subscription (and when
  // the service stops): thousands of notifications a second would otherwise be as many writes, made under
  // the lock that the commit path takes too.
  const auto now = std::chrono::steady_clock::now();
  if (now - found->second->statusPersistedAt >= std::chrono::seconds(1)) {
    persist(*found->second);
    found->second->statusPersistedAt = now;
    found->second->statusDirty = false;
  } else {
    found->second->statusDirty = true;
  }
}

bool Subscriptions::deliver(Pending& pending) {
  const Compiled& s = *pending.subscription;
  json data = json::array();
  for (const auto index : pending.selected) {
    const Entity& entity = (*pending.batch)[index];
    json item = serializeEntity(entity, s.context.get(), s.serialize);
    if (s.jsonLd)
      item["@context"] = s.contextValue.is_null() ? json(std::string(kCoreContextUrl)) : s.contextValue;
    data.push_back(std::move(item));
  }
  const std::string at = nowText();
  json notification{{"id", "urn:ngsi-ld:Notification:" + std::to_string(nowMs()) + "-" +
                               std::to_string(notificationCounter_++)},
                    {"type", "Notification"},
                    {"subscriptionId", s.id},
                    {"notifiedAt", at},
                    {"data", std::move(data)}};
  // The headers of the notification; an MQTT message carries them as its "metadata" (clause 7.2.x).
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("Content-Type", s.jsonLd ? "application/ld+json" : "application/json");
  if (!s.jsonLd) {
    const std::string link =
        s.context->linkUrl().empty() ? std::string(kCoreContextUrl) : s.context->linkUrl();
    headers.emplace_back(
        "Link", "<" + link + ">; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\"");
  }
  if (!tenant_.empty()) headers.emplace_back("NGSILD-Tenant", tenant_);
  headers.insert(headers.end(), s.receiverInfo.begin(), s.receiverInfo.end());
  bool success = false;
  if (s.mqtt) {
    json metadata = json::object();
    for (const auto& [key, value] : headers) metadata[key] = value;
    if (!mqtt_) mqtt_ = std::make_unique<MqttPublisher>(delivery_.timeout);
    success = mqtt_->publish(
        *s.mqtt, json{{"metadata", std::move(metadata)}, {"body", std::move(notification)}}.dump(), s.mqttQos,
        s.mqtt5);
  } else {
    success = postOverHttp(s.endpoint, headers, notification.dump());
  }
  recordOutcome(s.id, success, at);
  return success;
}

bool Subscriptions::postOverHttp(const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) {
  const auto schemeEnd = url.find("://");
  const auto pathStart = url.find('/', schemeEnd + 3);
  const std::string origin = url.substr(0, pathStart);
  const std::string path = pathStart == std::string::npos ? "/" : url.substr(pathStart);
  // One keep-alive connection per origin: a notification rate of thousands per second would otherwise
  // open as many connections and leave the sockets in TIME_WAIT.
  auto& cached = httpClients_->byOrigin[origin];
  if (!cached) {
    cached = std::make_unique<httplib::Client>(origin);
    const auto timeout = delivery_.timeout;
    const auto seconds = static_cast<time_t>(timeout.count() / 1000);
    const auto micros = static_cast<time_t>((timeout.count() % 1000) * 1000);
    cached->set_connection_timeout(seconds, micros);
    cached->set_read_timeout(seconds, micros);
    cached->set_write_timeout(seconds, micros);
    cached->set_keep_alive(true);
    cached->set_tcp_nodelay(true);
  }
  httplib::Client& client = *cached;
  httplib::Headers httpHeaders;
  std::string contentType = "application/json";
  for (const auto& [key, value] : headers) {
    if (key == "Content-Type") {
      contentType = value;
    } else {
      httpHeaders.emplace(key, value);
    }
  }
  const auto result = client.Post(path, httpHeaders, body, contentType);
  if (!result) httpClients_->byOrigin.erase(origin);  // a fresh connection on the next try
  return result && result->status >= 200 && result->status < 300;
}

void Subscriptions::periodic(std::chrono::steady_clock::time_point now) {
  std::vector<std::shared_ptr<Compiled>> due;
  {
    std::lock_guard lock(mutex_);
    const auto wall = nowMs();
    for (auto& [id, s] : subscriptions_) {
      if (s->timeIntervalS <= 0 || !s->active || s->expired(wall) || !s->context) continue;
      if (s->nextPeriodic > now) continue;
      s->nextPeriodic = now + std::chrono::milliseconds(static_cast<std::int64_t>(s->timeIntervalS * 1000));
      due.push_back(s);
    }
  }
  for (const auto& s : due) {
    std::vector<Entity> matched;
    store_.forEach([&](const Entity& entity) {
      if (s->selects(entity) && (!s->q || s->q->matches(entity)) && (!s->geo || s->geo->matches(entity))) {
        matched.push_back(entity);
      }
      return true;
    });
    if (matched.empty()) continue;
    std::vector<std::uint32_t> all(matched.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint32_t>(i);
    std::lock_guard lock(mutex_);
    queue_.push_back(
        Pending{s, std::make_shared<const std::vector<Entity>>(std::move(matched)), std::move(all), 0, now});
  }
}

void Subscriptions::run() {
  std::vector<Pending> retries;
  bool matchedLast = false;
  for (;;) {
    Pending pending;
    {
      std::unique_lock lock(mutex_);
      const auto now = std::chrono::steady_clock::now();
      auto wakeAt = now + std::chrono::seconds(1);
      for (const auto& r : retries) wakeAt = std::min(wakeAt, r.due);
      wake_.wait_until(lock, wakeAt, [&] { return stopping_ || !queue_.empty() || !changes_.empty(); });
      if (stopping_) return;
      if (!changes_.empty() && (queue_.empty() || !matchedLast)) {
        // Commits are matched in order (watchedAttributes and throttling follow commit order), taking turns
        // with deliveries so that neither waits for the other to run dry.
        matchedLast = true;
        Change change = std::move(changes_.front());
        changes_.pop_front();
        changesQueued_ -= change.batch->size();
        std::vector<std::shared_ptr<Compiled>> snapshot;
        for (const auto& [id, s] : subscriptions_) snapshot.push_back(s);
        lock.unlock();
        match(change, snapshot);
        continue;
      }
      matchedLast = false;
      const auto later = std::chrono::steady_clock::now();
      const auto ready =
          std::find_if(retries.begin(), retries.end(), [&](const Pending& r) { return r.due <= later; });
      if (ready != retries.end()) {
        pending = std::move(*ready);
        retries.erase(ready);
      } else if (!queue_.empty()) {
        pending = std::move(queue_.front());
        queue_.pop_front();
      } else {
        lock.unlock();
        periodic(later);
        continue;
      }
    }
    if (deliver(pending)) continue;
    std::lock_guard lock(mutex_);
    if (++pending.attempt < delivery_.attempts) {
      pending.due = std::chrono::steady_clock::now() + delivery_.firstBackoff * (1 << (pending.attempt - 1));
      retries.push_back(std::move(pending));
    }
  }
}

}  // namespace citytwin::server
