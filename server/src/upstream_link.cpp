#include "citytwin/server/upstream_link.hpp"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "citytwin/context/city_mapping.hpp"
#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/fingerprint.hpp"
#include "citytwin/server/live_state_client.hpp"

namespace citytwin::server {

namespace {

constexpr const char* kSmartDataModelsContext = "https://smartdatamodels.org/context.jsonld";

struct Upstream {
  explicit Upstream(const UpstreamSettings& settings) : client(settings.url) {
    if (!client.is_valid()) throw Error("--upstream '" + settings.url + "' is not an http://host:port URL");
    const auto seconds = static_cast<time_t>(settings.timeout.count());
    client.set_connection_timeout(seconds);
    client.set_read_timeout(seconds);
    client.set_write_timeout(seconds);
    if (!settings.token.empty()) headers.emplace("Authorization", "Bearer " + settings.token);
  }
  httplib::Client client;
  httplib::Headers headers;
};

std::string describe(const httplib::Result& result) {
  if (!result) return httplib::to_string(result.error());
  return std::to_string(result->status) + " " + result->body.substr(0, 300);
}

}  // namespace

UpstreamLink::UpstreamLink(UpstreamSettings settings, context::EntityRepository& store)
    : settings_(std::move(settings)) {
  // One id per upstream subscriber (its notification URL): a restart finds and updates its own.
  subscriptionId_ =
      "urn:ngsi-ld:Subscription:citytwin-upstream-" + fingerprintText(settings_.notifyUrl).substr(0, 16);
  subscribe();
  // What the upstream holds now: changes made before the subscription are never notified.
  LiveClientOptions options;
  options.token = settings_.token;
  options.timeoutSeconds = static_cast<int>(settings_.timeout.count());
  std::vector<context::WriteOperation> operations;
  for (auto& entity : fetchLiveEntities(settings_.url, options)) {
    context::WriteOperation operation;
    operation.kind = context::WriteKind::Upsert;
    operation.mergeAttributes = true;
    operation.entity = std::move(entity);
    operations.push_back(std::move(operation));
  }
  copied_ = operations.size();
  if (!operations.empty()) {
    for (const auto& result : store.write(std::move(operations))) {
      if (result.error)
        throw Error("--upstream " + settings_.url +
                    ": an entity could not be stored: " + result.error->what());
    }
  }
  renewer_ = std::thread([this] { keepAlive(); });
}

UpstreamLink::~UpstreamLink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (renewer_.joinable()) renewer_.join();
  Upstream upstream(settings_);
  upstream.client.set_connection_timeout(2);
  upstream.client.set_read_timeout(2);
  upstream.client.Delete(("/ngsi-ld/v1/subscriptions/" + subscriptionId_).c_str(), upstream.headers);
}

std::string UpstreamLink::expiresAt() const {
  return formatDateTime(nowMilliseconds() +
                        std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lease).count());
}

void UpstreamLink::subscribe() {
  nlohmann::json entities = nlohmann::json::array();
  for (const auto& type : context::mappedEntityTypes()) entities.push_back({{"type", type}});
  nlohmann::json endpoint = {{"uri", settings_.notifyUrl}, {"accept", "application/json"}};
  if (!settings_.notifyToken.empty()) {
    endpoint["receiverInfo"] =
        nlohmann::json::array({{{"key", "Authorization"}, {"value", "Bearer " + settings_.notifyToken}}});
  }
  const nlohmann::json subscription = {{"id", subscriptionId_},
                                       {"type", "Subscription"},
                                       {"description", "citytwin: the live twin at " + settings_.notifyUrl},
                                       {"entities", entities},
                                       {"expiresAt", expiresAt()},
                                       {"isActive", true},
                                       {"notification", {{"format", "normalized"}, {"endpoint", endpoint}}},
                                       {"@context", kSmartDataModelsContext}};
  Upstream upstream(settings_);
  auto created = upstream.client.Post("/ngsi-ld/v1/subscriptions", upstream.headers, subscription.dump(),
                                      "application/ld+json");
  if (created && created->status == 409) {
    // Left by an earlier run: replaced by this one's members (endpoint, lease).
    nlohmann::json fragment = subscription;
    fragment.erase("id");
    fragment.erase("type");
    created = upstream.client.Patch(("/ngsi-ld/v1/subscriptions/" + subscriptionId_).c_str(),
                                    upstream.headers, fragment.dump(), "application/ld+json");
  }
  if (!created || created->status / 100 != 2) {
    throw Error("--upstream " + settings_.url + ": subscribing failed: " + describe(created));
  }
}

bool UpstreamLink::renew() {
  Upstream upstream(settings_);
  const nlohmann::json fragment = {{"expiresAt", expiresAt()}, {"@context", kSmartDataModelsContext}};
  const auto result = upstream.client.Patch(("/ngsi-ld/v1/subscriptions/" + subscriptionId_).c_str(),
                                            upstream.headers, fragment.dump(), "application/ld+json");
  if (result && result->status / 100 == 2) return true;
  if (result && result->status == 404) {
    try {
      subscribe();  // the upstream lost it (restarted without it, or it expired and was removed)
      return true;
    } catch (const Error&) {
      return false;
    }
  }
  return false;
}

void UpstreamLink::keepAlive() {
  const auto renewEvery = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.lease) * 4 / 5;
  auto wait = renewEvery;
  std::unique_lock lock(mutex_);
  for (;;) {
    if (wake_.wait_for(lock, wait, [&] { return stopping_; })) return;
    lock.unlock();
    const bool renewed = renew();
    lock.lock();
    // A failed renewal is tried again soon, within what is left of the lease.
    wait = renewed ? renewEvery
                   : std::min<std::chrono::milliseconds>(renewEvery / 8 + std::chrono::milliseconds(100),
                                                         std::chrono::seconds(10));
  }
}

}  // namespace citytwin::server
