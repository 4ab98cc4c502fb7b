// Durability under SIGKILL: a writer keeps upserting while the service (the citytwin binary) is killed and
// restarted several times; afterwards every acknowledged update must be there. On SQLite and on PostgreSQL
// (a private server this program starts), where two services on one database must also agree. Loopback only.
#include <doctest/doctest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "citytwin/core/date_time.hpp"
#include "citytwin/testing/private_postgres.hpp"
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

// `citytwin serve` on its own port with the given store (a SQLite file or a PostgreSQL URL).
std::unique_ptr<citytwin::testing::ServiceProcess> startService(const std::string& binary,
                                                                const std::string& store) {
  return citytwin::testing::ServiceProcess::start(binary, {"--bind", "127.0.0.1", "--store", store});
}

const char* citytwinBinary() {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE_MESSAGE(binary, "CITYTWIN_BINARY names the citytwin executable");
  return binary;
}

// A writer keeps upserting batches while the service is killed `restarts` times at random moments; then a
// fresh service must return every acknowledged update, in the current state and in the history.
void checkAcknowledgedUpdatesSurviveKills(const std::string& binary, const std::string& database,
                                          int restarts) {
  const int kRestarts = restarts;
  constexpr int kEntities = 20;
  std::mt19937 random(7);
  std::map<std::string, int> lastAcknowledged;         // entity -> highest acknowledged sequence number
  std::set<std::pair<std::string, int>> acknowledged;  // (entity, sequence)
  int sequence = 0;
  const std::int64_t base = *citytwin::parseDateTime("2025-06-01T00:00:00Z");

  for (int restart = 0; restart < kRestarts; ++restart) {
    const auto service = startService(binary, database);
    REQUIRE(service);
    // Kill at a random moment while the writer is busy.
    const auto killAfter = std::chrono::milliseconds(150 + random() % 350);
    std::thread killer([&] {
      std::this_thread::sleep_for(killAfter);
      kill(service->pid(), SIGKILL);
    });
    httplib::Client client("127.0.0.1", service->port());
    client.set_connection_timeout(2);
    client.set_read_timeout(5);
    client.set_tcp_nodelay(true);
    for (;;) {
      json batch = json::array();
      std::vector<std::pair<std::string, int>> sent;
      for (int k = 0; k < 5; ++k) {
        ++sequence;
        const std::string id = "urn:ngsi-ld:Counter:" + std::to_string(sequence % kEntities);
        batch.push_back({{"id", id},
                         {"type", "Counter"},
                         {"count",
                          {{"type", "Property"},
                           {"value", sequence},
                           {"observedAt", citytwin::formatDateTime(base + sequence * 1000LL)}}}});
        sent.emplace_back(id, sequence);
      }
      const auto response =
          client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", batch.dump(), "application/json");
      if (!response) break;  // the service is gone: whatever was not acknowledged may or may not be there
      REQUIRE(response->status / 100 == 2);
      REQUIRE(response->status != 207);
      for (const auto& [id, seq] : sent) {
        acknowledged.emplace(id, seq);
        lastAcknowledged[id] = std::max(lastAcknowledged[id], seq);
      }
    }
    killer.join();
    CHECK(WIFSIGNALED(service->wait()));
  }
  REQUIRE(acknowledged.size() > 50);  // the writer made progress between kills

  const auto service = startService(binary, database);
  REQUIRE(service);
  httplib::Client client("127.0.0.1", service->port());
  client.set_read_timeout(10);
  std::size_t found = 0;
  for (const auto& [id, last] : lastAcknowledged) {
    const auto current = client.Get(("/ngsi-ld/v1/entities/" + id + "?options=keyValues").c_str());
    REQUIRE(current);
    REQUIRE(current->status == 200);
    // The latest value is the last acknowledged one or a later write that reached the disk unacknowledged.
    CHECK(json::parse(current->body)["count"].get<int>() >= last);
    const auto history =
        client.Get(("/ngsi-ld/v1/temporal/entities/" + id + "?attrs=count&options=temporalValues").c_str());
    REQUIRE(history);
    REQUIRE(history->status == 200);
    std::set<int> stored;
    const json series = json::parse(history->body);
    for (const auto& point : series.at("count").at("values")) stored.insert(point[0].get<int>());
    for (const auto& [ackedId, seq] : acknowledged) {
      if (ackedId != id) continue;
      CHECK_MESSAGE(stored.contains(seq), id << " lost acknowledged update " << seq);
      found += stored.contains(seq) ? 1 : 0;
    }
  }
  CHECK(found == acknowledged.size());
  CHECK(WIFEXITED(service->stop(SIGTERM)));
}

}  // namespace

TEST_CASE("every acknowledged update survives SIGKILL of the service (SQLite)") {
  checkAcknowledgedUpdatesSurviveKills(citytwinBinary(),
                                       (citytwin::testing::scratchDirectory() / "crash.sqlite").string(), 5);
}

TEST_CASE("every acknowledged update survives SIGKILL of the service (PostgreSQL)") {
  const std::string url = citytwin::testing::privatePostgresDatabase("crash");
  if (!url.empty()) checkAcknowledgedUpdatesSurviveKills(citytwinBinary(), url, 3);
}

TEST_CASE("two services on one PostgreSQL database serve one state") {
  const std::string url = citytwin::testing::privatePostgresDatabase("shared_service");
  if (url.empty()) return;
  const auto first = startService(citytwinBinary(), url);
  const auto second = startService(citytwinBinary(), url);
  REQUIRE(first);
  REQUIRE(second);
  httplib::Client a("127.0.0.1", first->port()), b("127.0.0.1", second->port());
  for (auto* client : {&a, &b}) client->set_read_timeout(10);
  const std::string id = "urn:ngsi-ld:Counter:shared";
  const json entity = {{"id", id}, {"type", "Counter"}, {"count", {{"type", "Property"}, {"value", 1}}}};
  const auto created = a.Post("/ngsi-ld/v1/entities", entity.dump(), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 201);
  // Acknowledged by one service, read back from the other at once, and the other way round.
  const auto read = b.Get(("/ngsi-ld/v1/entities/" + id + "?options=keyValues").c_str());
  REQUIRE(read);
  REQUIRE(read->status == 200);
  CHECK(json::parse(read->body)["count"] == 1);
  const auto patched = b.Patch(("/ngsi-ld/v1/entities/" + id + "/attrs").c_str(),
                               R"({"count":{"type":"Property","value":2}})", "application/json");
  REQUIRE(patched);
  CHECK(patched->status == 204);
  const auto reread = a.Get(("/ngsi-ld/v1/entities/" + id + "?options=keyValues").c_str());
  REQUIRE(reread);
  CHECK(json::parse(reread->body)["count"] == 2);
  // Both services add attributes to the same entities at once: none of the acknowledged ones is lost.
  const auto writer = [&](int port, const std::string& prefix) {
    httplib::Client own("127.0.0.1", port);
    own.set_read_timeout(10);
    for (int i = 0; i < 15; ++i) {
      json batch = json::array();
      for (int e = 0; e < 4; ++e) {
        batch.push_back({{"id", "urn:ngsi-ld:Counter:" + std::to_string(e)},
                         {"type", "Counter"},
                         {prefix + std::to_string(i), {{"type", "Property"}, {"value", i}}}});
      }
      const auto response =
          own.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", batch.dump(), "application/json");
      // CHECK, not REQUIRE: a failure on a writer thread is reported, not thrown through the thread.
      const bool stored = response && response->status / 100 == 2 && response->status != 207;
      CHECK_MESSAGE(stored, prefix << i << ": " << (response ? response->status : -1));
      if (!stored) return;
    }
  };
  std::thread one([&] { writer(first->port(), "a"); });
  std::thread two([&] { writer(second->port(), "b"); });
  one.join();
  two.join();
  for (int e = 0; e < 4; ++e) {
    const std::string path =
        "/ngsi-ld/v1/entities/urn:ngsi-ld:Counter:" + std::to_string(e) + "?options=keyValues";
    const auto fromA = a.Get(path.c_str());
    const auto fromB = b.Get(path.c_str());
    REQUIRE(fromA);
    REQUIRE(fromB);
    const json stateA = json::parse(fromA->body), stateB = json::parse(fromB->body);
    CHECK(stateA == stateB);
    CHECK(stateA.size() == 2 + 30);  // id, type, a0..a14, b0..b14
  }
  const auto countA = a.Get("/ngsi-ld/v1/entities?type=Counter&count=true&limit=1");
  const auto countB = b.Get("/ngsi-ld/v1/entities?type=Counter&count=true&limit=1");
  REQUIRE(countA);
  REQUIRE(countB);
  CHECK(countA->get_header_value("NGSILD-Results-Count") == "5");
  CHECK(countB->get_header_value("NGSILD-Results-Count") == "5");
}
