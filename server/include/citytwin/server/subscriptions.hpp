#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/entity_repository.hpp"

namespace citytwin::server {

class BrokerState;
class MqttPublisher;

// The NGSI-LD subscriptions of one tenant (GS CIM 009 clause 5.8): validated and kept durably in the
// broker state, matched against every committed change (entities, watchedAttributes, q, geoQ, isActive,
// expiresAt, throttling) on its worker thread or sent every timeInterval, and delivered by that thread with
// retries and exponential backoff, over HTTP(S) or MQTT (mqtt://host:port/topic). The store's commit path
// only queues the committed entities, so neither matching nor a slow or dead endpoint stalls ingest; a full
// queue drops the oldest changes or notifications and records a failure.
class Subscriptions {
 public:
  Subscriptions(std::string tenant, BrokerState& state, context::EntityRepository& store,
                context::ContextDocuments& contexts);
  ~Subscriptions();
  Subscriptions(const Subscriptions&) = delete;
  Subscriptions& operator=(const Subscriptions&) = delete;

  // body: the subscription as posted; contextValue: the @context it was written with (null: core).
  // Returns the id. Throws NgsiError (400 BadRequestData, 409 AlreadyExists) or ContextError.
  std::string create(nlohmann::json body, const nlohmann::json& contextValue);
  // The stored subscriptions with their status, in id order.
  // With systemAttributes, createdAt and modifiedAt too.
  std::vector<nlohmann::json> list(bool systemAttributes = false) const;
  std::optional<nlohmann::json> get(const std::string& id, bool systemAttributes = false) const;
  // Merges the fragment into the subscription (clause 5.8.2). Throws NgsiError 404 / 400.
  void patch(const std::string& id, nlohmann::json fragment, const nlohmann::json& contextValue);
  bool erase(const std::string& id);

  // Called with the current state of the entities a commit changed.
  void entitiesChanged(const std::vector<context::Entity>& changed);

  // Delivery bounds (tests shorten them).
  struct Delivery {
    int attempts = 4;                             // first try + retries
    std::chrono::milliseconds firstBackoff{200};  // doubled after every failure
    std::chrono::milliseconds timeout{2000};      // per HTTP request
    std::size_t maxQueued = 100000;
  };
  void setDelivery(Delivery delivery);

  // The compiled form of a stored subscription (what matching and delivery use).
  struct Compiled;

 private:
  struct Pending;
  struct Change;
  struct HttpClients;
  std::shared_ptr<Compiled> compile(const nlohmann::json& document) const;
  void persist(const Compiled& subscription) const;
  void enqueue(const std::shared_ptr<Compiled>& subscription, std::vector<context::Entity> entities);
  void run();
  void match(const Change& change, const std::vector<std::shared_ptr<Compiled>>& subscriptions);
  bool deliver(Pending& pending);
  bool postOverHttp(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body);
  void recordOutcome(const std::string& id, bool success, const std::string& at);
  void periodic(std::chrono::steady_clock::time_point now);

  std::string tenant_;
  BrokerState& state_;
  context::EntityRepository& store_;
  context::ContextDocuments& contexts_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Compiled>> subscriptions_;
  std::deque<Pending> queue_;
  std::deque<Change> changes_;     // committed batches not yet matched
  std::size_t changesQueued_ = 0;  // entities in changes_
  std::mutex matchMutex_;          // the matching state (watched values, throttling); taken before mutex_
  Delivery delivery_;
  bool stopping_ = false;
  std::uint64_t notificationCounter_ = 0;
  std::unique_ptr<HttpClients> httpClients_;  // the worker's HTTP connections
  std::unique_ptr<MqttPublisher> mqtt_;       // the worker's MQTT connections
  std::thread worker_;
};

}  // namespace citytwin::server
