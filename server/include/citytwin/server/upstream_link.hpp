#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "citytwin/context/entity_repository.hpp"

namespace citytwin::server {

struct UpstreamSettings {
  std::string url;          // the upstream broker's base URL: http://host:port
  std::string token;        // bearer token for the upstream broker, if it wants one
  std::string notifyUrl;    // where the upstream notifies: this service's /ngsi-ld/v1/notify
  std::string notifyToken;  // this service's own bearer token, sent with every notification (receiverInfo)
  std::chrono::seconds lease{3600};  // expiresAt of the upstream subscription; renewed at 80 % of it
  std::chrono::seconds timeout{10};  // per request to the upstream broker
};

// Keeps the twin live from another NGSI-LD broker (Orion-LD, Stellio, Scorpio, another citytwin): reads what
// it holds now of the types the city mapping understands (context::mappedEntityTypes()) into the store,
// then subscribes there for changes of those types, notified to this service's /ngsi-ld/v1/notify (which
// applies them as merging upserts), and renews the subscription before it expires — recreating it when the
// upstream lost it. Destroying the link deletes the upstream subscription; a service killed outright
// leaves it to expire with its lease.
class UpstreamLink {
 public:
  // Subscribes before returning; throws Error naming the URL when the upstream broker refuses.
  UpstreamLink(UpstreamSettings settings, context::EntityRepository& store);
  ~UpstreamLink();
  UpstreamLink(const UpstreamLink&) = delete;
  UpstreamLink& operator=(const UpstreamLink&) = delete;

  const std::string& subscriptionId() const { return subscriptionId_; }
  std::size_t entitiesCopied() const { return copied_; }

 private:
  void subscribe();  // create, or update the one a previous run left
  bool renew();      // PATCH expiresAt; false when the upstream answered otherwise
  void keepAlive();
  std::string expiresAt() const;

  UpstreamSettings settings_;
  std::string subscriptionId_;
  std::size_t copied_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread renewer_;
};

}  // namespace citytwin::server
