// `citytwin bench subscriptions`: what subscriptions cost the service and how fast they deliver.
//  1. Latency: one subscription, single-entity upserts paced at --rate per second, each carrying its
//     sequence number; the time from the upsert's acknowledgement (client side) to the notification's
//     arrival at a receiver in this process: an HTTP endpoint, and an MQTT topic on a private mosquitto
//     where it is installed.
//  2. Ingest: batch upsert throughput with no subscription, with --subscriptions active ones notifying a
//     live HTTP endpoint, and with as many whose endpoint is dead (nothing listens) — in the same run, so
//     the ratios compare like with like.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/server/local_mqtt_broker.hpp"
#include "citytwin/server/mqtt_publisher.hpp"
#include "citytwin/server/mqtt_subscriber.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct SubscriptionsBenchArguments {
  double rate = 1000;         // notifications per second of the latency phase
  double latencySeconds = 5;  // per endpoint kind
  double ingestSeconds = 5;   // per ingest configuration
  std::size_t subscriptions = 100;
  std::size_t batch = 1000;
  std::size_t clients = 2;
  std::size_t rounds = 3;
  std::string sync = "full";
  bool json = false;
};

struct Scratch {
  std::filesystem::path path;
  Scratch() {
    std::random_device random;
    path =
        std::filesystem::temp_directory_path() / ("citytwin-bench-subscriptions-" + std::to_string(random()));
    std::filesystem::create_directories(path);
  }
  ~Scratch() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::int64_t sinceEpochNs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Acknowledgement and arrival times of each sequence number (0: not yet).
struct Timeline {
  explicit Timeline(std::size_t n)
      : count(n), acknowledged(new std::atomic<std::int64_t>[n]), arrived(new std::atomic<std::int64_t>[n]) {
    for (std::size_t i = 0; i < n; ++i) acknowledged[i] = arrived[i] = 0;
  }
  // A notification's body: every entity's "seq" (keyValues) has arrived now.
  void notified(const json& body) {
    const auto now = sinceEpochNs(Clock::now());
    if (!body.is_object() || !body.contains("data")) return;
    for (const auto& entity : body["data"]) {
      if (!entity.contains("seq") || !entity["seq"].is_number_integer()) continue;
      const auto seq = entity["seq"].get<std::int64_t>();
      if (seq >= 0 && static_cast<std::size_t>(seq) < count) {
        std::int64_t expected = 0;
        arrived[seq].compare_exchange_strong(expected, now);
      }
    }
  }
  std::size_t count;
  std::unique_ptr<std::atomic<std::int64_t>[]> acknowledged, arrived;
};

// An HTTP notification endpoint on loopback; `delay` makes it slow.
struct HttpReceiver {
  explicit HttpReceiver(std::function<void(const json&)> onNotification) {
    server.Post("/notify", [onNotification](const httplib::Request& req, httplib::Response& res) {
      if (onNotification) onNotification(json::parse(req.body, nullptr, false));
      res.status = 204;
    });
    server.set_keep_alive_max_count(1u << 20);
    server.set_tcp_nodelay(true);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~HttpReceiver() {
    server.stop();
    thread.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/notify"; }
  httplib::Server server;
  std::thread thread;
  int port = 0;
};

server::ServiceOptions serviceOptions(const SubscriptionsBenchArguments& args,
                                      const std::filesystem::path& database) {
  server::ServiceOptions options;
  options.port = 0;
  options.databasePath = database;
  options.synchronousFull = args.sync == "full";
  options.threads = std::max<std::size_t>(4, args.clients + 2);
  options.maxBatchEntities = std::max<std::size_t>(args.batch, 1000);
  options.contextFetch.offline = true;
  return options;
}

void createSubscription(httplib::Client& client, const json& subscription) {
  const auto result = client.Post("/ngsi-ld/v1/subscriptions", subscription.dump(), "application/json");
  if (!result || result->status != 201)
    throw Error("bench subscriptions: creating a subscription failed" +
                (result ? " (" + std::to_string(result->status) + " " + result->body + ")" : std::string()));
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1,
                         static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

// Phase 1 for one endpoint: paced single-entity upserts, one notification each.
json measureLatency(const SubscriptionsBenchArguments& args, const std::filesystem::path& database,
                    const std::string& endpoint, Timeline& timeline) {
  // Open loop: request seq is due at start + seq / rate whatever the answers before it took; several
  // connections so that one slow commit does not hold back the schedule (each keeps an HTTP thread).
  const std::size_t connections = 16;
  auto options = serviceOptions(args, database);
  options.threads = connections + 4;
  server::ContextService service(options);
  const int port = service.start();
  httplib::Client admin("127.0.0.1", port);
  createSubscription(admin, {{"id", "urn:ngsi-ld:Subscription:latency"},
                             {"type", "Subscription"},
                             {"entities", json::array({{{"type", "Probe"}}})},
                             {"notification",
                              {{"format", "keyValues"},
                               {"attributes", json::array({"seq"})},
                               {"endpoint",
                                {{"uri", endpoint},
                                 {"accept", "application/json"},
                                 {"notifierInfo", json::array({{{"key", "MQTT-QoS"}, {"value", "1"}}})}}}}}});
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  std::atomic<std::size_t> failures{0};
  std::vector<std::thread> senders;
  for (std::size_t c = 0; c < connections; ++c) {
    senders.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(30);
      for (std::size_t seq = c; seq < timeline.count; seq += connections) {
        std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                                  static_cast<double>(seq) * 1e9 / args.rate)));
        const std::string body =
            "[{\"id\":\"urn:ngsi-ld:Probe:" + std::to_string(seq % 64) +
            "\",\"type\":\"Probe\",\"seq\":{\"type\":\"Property\",\"value\":" + std::to_string(seq) + "}}]";
        const auto result =
            client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", body, "application/json");
        if (result && result->status / 100 == 2) {
          timeline.acknowledged[seq] = sinceEpochNs(Clock::now());
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& sender : senders) sender.join();
  const double sendSeconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Bounded wait for the last notifications.
  const auto waitEnd = Clock::now() + std::chrono::seconds(10);
  const auto missing = [&] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < timeline.count; ++i)
      n += timeline.acknowledged[i] != 0 && timeline.arrived[i] == 0;
    return n;
  };
  while (missing() > 0 && Clock::now() < waitEnd) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  service.stop();

  std::vector<double> latencies;
  std::size_t early = 0;
  for (std::size_t i = 0; i < timeline.count; ++i) {
    if (timeline.acknowledged[i] == 0 || timeline.arrived[i] == 0) continue;
    // A notification may reach the receiver before the acknowledgement reaches the client: latency 0.
    const double ms = static_cast<double>(timeline.arrived[i] - timeline.acknowledged[i]) / 1e6;
    if (ms < 0) ++early;
    latencies.push_back(std::max(0.0, ms));
  }
  std::sort(latencies.begin(), latencies.end());
  return {{"endpoint", endpoint.substr(0, endpoint.find(':'))},
          {"target_per_s", args.rate},
          {"sent_per_s", static_cast<double>(timeline.count - failures) / sendSeconds},
          {"delivered", latencies.size()},
          {"acknowledged", timeline.count - failures.load()},
          {"delivered_before_ack", early},
          {"p50_ms", percentile(latencies, 0.50)},
          {"p99_ms", percentile(latencies, 0.99)},
          {"max_ms", latencies.empty() ? 0.0 : latencies.back()}};
}

// Phase 2: batch upserts for a while; `endpoint` empty: no subscription.
json measureIngest(const SubscriptionsBenchArguments& args, const std::filesystem::path& database,
                   const std::string& endpoint) {
  server::ContextService service(serviceOptions(args, database));
  const int port = service.start();
  httplib::Client admin("127.0.0.1", port);
  const std::size_t subscriptions = endpoint.empty() ? 0 : args.subscriptions;
  // Subscription k selects the entities whose `level` lies in its own band: each batch notifies every
  // subscription with its share of the batch.
  const double band =
      static_cast<double>(args.batch) / static_cast<double>(std::max<std::size_t>(1, subscriptions));
  for (std::size_t k = 0; k < subscriptions; ++k) {
    char q[96];
    std::snprintf(q, sizeof q, "level>=%.3f;level<%.3f", band * static_cast<double>(k),
                  band * static_cast<double>(k + 1));
    createSubscription(admin,
                       {{"id", "urn:ngsi-ld:Subscription:ingest-" + std::to_string(k)},
                        {"type", "Subscription"},
                        {"entities", json::array({{{"type", "Meter"}}})},
                        {"q", q},
                        {"notification", {{"format", "normalized"}, {"endpoint", {{"uri", endpoint}}}}}});
  }
  std::atomic<std::uint64_t> entities{0}, failures{0};
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(args.ingestSeconds));
  std::vector<std::thread> clients;
  for (std::size_t c = 0; c < args.clients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(60);
      std::vector<std::string> bodies;
      for (int round = 0; round < 2; ++round) {
        std::string body = "[";
        for (std::size_t i = 0; i < args.batch; ++i) {
          body += (i ? ",{" : "{") + std::string("\"id\":\"urn:ngsi-ld:Meter:c") + std::to_string(c) + "-" +
                  std::to_string(i) +
                  "\",\"type\":\"Meter\",\"level\":{\"type\":\"Property\",\"value\":" + std::to_string(i) +
                  "},\"reading\":{\"type\":\"Property\",\"value\":" + std::to_string(round) + "}}";
        }
        bodies.push_back(body + "]");
      }
      for (std::size_t k = 0; Clock::now() < deadline; ++k) {
        const auto result = client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", bodies[k % 2],
                                        "application/json");
        if (result && result->status / 100 == 2) {
          entities += args.batch;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& client : clients) client.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  service.stop();
  return {{"subscriptions", subscriptions},
          {"entity_updates_per_s", static_cast<double>(entities.load()) / seconds},
          {"seconds", seconds},
          {"failed_requests", failures.load()}};
}

int unusedPort() {
  httplib::Server probe;
  const int port = probe.bind_to_any_port("127.0.0.1");
  return port;  // closed again when probe goes: nothing listens there afterwards
}

void benchSubscriptions(const SubscriptionsBenchArguments& args) {
  if (args.sync != "full" && args.sync != "normal") throw Error("--sync must be full or normal");
  if (args.rate <= 0 || args.latencySeconds <= 0 || args.ingestSeconds <= 0 || args.batch == 0 ||
      args.clients == 0 || args.rounds == 0)
    throw Error("--rate, --latency-seconds, --ingest-seconds, --batch and --clients must be positive");
  Scratch scratch;
  json results = {{"sync", args.sync}, {"hardware_threads", std::thread::hardware_concurrency()}};
  const auto count = static_cast<std::size_t>(args.rate * args.latencySeconds);

  json latency = json::array();
  {
    Timeline timeline(count);
    HttpReceiver receiver([&timeline](const json& body) { timeline.notified(body); });
    latency.push_back(measureLatency(args, scratch.path / "latency-http.sqlite", receiver.url(), timeline));
  }
  if (!server::MqttPublisher::available()) {
    results["mqtt"] = "not measured: built without libmosquitto";
  } else if (const auto mosquitto = server::LocalMqttBroker::binary(); !mosquitto) {
    results["mqtt"] = "not measured: mosquitto is not installed";
  } else {
    server::LocalMqttBroker broker(*mosquitto);
    Timeline timeline(count);
    server::MqttSubscriber subscriber("127.0.0.1", broker.port(), "bench/#",
                                      [&timeline](const std::string&, const std::string& payload) {
                                        const auto message = json::parse(payload, nullptr, false);
                                        if (message.is_object() && message.contains("body"))
                                          timeline.notified(message["body"]);
                                      });
    latency.push_back(measureLatency(args, scratch.path / "latency-mqtt.sqlite",
                                     "mqtt://127.0.0.1:" + std::to_string(broker.port()) + "/bench/notify",
                                     timeline));
  }
  results["latency"] = latency;

  HttpReceiver sink(nullptr);  // answers without reading the notifications
  const std::string deadEndpoint = "http://127.0.0.1:" + std::to_string(unusedPort()) + "/notify";
  // The three configurations take turns, round after round, and each reports its median round: a
  // machine whose load changes during the run shifts all three alike.
  std::vector<json> none, live, dead;
  for (std::size_t round = 0; round < args.rounds; ++round) {
    const std::string tag = std::to_string(round);
    none.push_back(measureIngest(args, scratch.path / ("ingest-none-" + tag + ".sqlite"), ""));
    live.push_back(measureIngest(args, scratch.path / ("ingest-live-" + tag + ".sqlite"), sink.url()));
    dead.push_back(measureIngest(args, scratch.path / ("ingest-dead-" + tag + ".sqlite"), deadEndpoint));
  }
  const auto median = [](std::vector<json> rows) {
    std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
      return a["entity_updates_per_s"].get<double>() < b["entity_updates_per_s"].get<double>();
    });
    json row = rows[rows.size() / 2];
    json all = json::array();
    for (const auto& r : rows) all.push_back(r["entity_updates_per_s"]);
    row["rounds_entity_updates_per_s"] = all;
    return row;
  };
  const json noneMedian = median(none), liveMedian = median(live), deadMedian = median(dead);
  const double base = noneMedian["entity_updates_per_s"].get<double>();
  results["ingest"] = {{"none", noneMedian},
                       {"live_endpoint", liveMedian},
                       {"dead_endpoint", deadMedian},
                       {"rounds", args.rounds},
                       {"live_to_none", liveMedian["entity_updates_per_s"].get<double>() / base},
                       {"dead_to_none", deadMedian["entity_updates_per_s"].get<double>() / base}};
  if (args.json) {
    printJson(results);
    return;
  }
  std::printf("notification latency, acknowledgement to arrival (sync %s):\n", args.sync.c_str());
  for (const auto& row : latency) {
    std::printf(
        "  %-5s %6.0f /s sent (target %.0f), %zu of %zu delivered: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
        row["endpoint"].get<std::string>().c_str(), row["sent_per_s"].get<double>(),
        row["target_per_s"].get<double>(), row["delivered"].get<std::size_t>(),
        row["acknowledged"].get<std::size_t>(), row["p50_ms"].get<double>(), row["p99_ms"].get<double>(),
        row["max_ms"].get<double>());
  }
  if (results.contains("mqtt")) std::printf("  mqtt  %s\n", results["mqtt"].get<std::string>().c_str());
  std::printf("ingest, batches of %zu entities, %zu clients, median of %zu rounds:\n", args.batch,
              args.clients, args.rounds);
  const auto line = [&](const char* name, const json& row, const char* ratioKey) {
    std::printf("  %-32s %8.0f entity updates/s", name, row["entity_updates_per_s"].get<double>());
    if (ratioKey) std::printf("  (%.0f %% of none)", 100 * results["ingest"][ratioKey].get<double>());
    std::printf("\n");
  };
  line("no subscription", noneMedian, nullptr);
  const std::string liveName = std::to_string(args.subscriptions) + " subscriptions, live endpoint";
  const std::string deadName = std::to_string(args.subscriptions) + " subscriptions, dead endpoint";
  line(liveName.c_str(), liveMedian, "live_to_none");
  line(deadName.c_str(), deadMedian, "dead_to_none");
}

void registerSubscriptionsBench(CommandTree& tree) {
  auto args = std::make_shared<SubscriptionsBenchArguments>();
  CLI::App* bench = tree.bench.add_subcommand(
      "subscriptions", "Notification latency (HTTP, MQTT) and ingest throughput with active subscriptions");
  bench->add_option("--rate", args->rate, "Notifications per second of the latency phase")
      ->capture_default_str();
  bench->add_option("--latency-seconds", args->latencySeconds, "Duration of the latency phase per endpoint")
      ->capture_default_str();
  bench->add_option("--ingest-seconds", args->ingestSeconds, "Duration of each ingest measurement")
      ->capture_default_str();
  bench->add_option("--subscriptions", args->subscriptions, "Active subscriptions of the ingest phase")
      ->capture_default_str();
  bench->add_option("--batch", args->batch, "Entities per batch upsert")->capture_default_str();
  bench->add_option("--clients", args->clients, "Concurrent ingest connections")->capture_default_str();
  bench->add_option("--rounds", args->rounds, "Ingest rounds (the configurations take turns)")
      ->capture_default_str();
  bench->add_option("--sync", args->sync, "SQLite synchronous mode: full or normal")->capture_default_str();
  addJsonFlag(*bench, args->json);
  bench->callback([args] { benchSubscriptions(*args); });
}

const CommandGroupRegistrar registrar(74, registerSubscriptionsBench);

}  // namespace
}  // namespace citytwin::cli
