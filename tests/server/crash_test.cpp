// Durability under SIGKILL: a writer keeps upserting while the service (the citytwin binary) is killed and
// restarted several times; afterwards every acknowledged update must be there. Loopback only.
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
#include "citytwin/testing/service_process.hpp"
#include "citytwin/testing/shared_data.hpp"

using nlohmann::json;

namespace {

// `citytwin serve` on its own port with the given database.
std::unique_ptr<citytwin::testing::ServiceProcess> startService(const std::string& binary, const std::string& database) {
  return citytwin::testing::ServiceProcess::start(binary, {"--bind", "127.0.0.1", "--db", database});
}

}  // namespace

TEST_CASE("every acknowledged update survives SIGKILL of the service") {
  const char* binary = std::getenv("CITYTWIN_BINARY");
  REQUIRE_MESSAGE(binary, "CITYTWIN_BINARY names the citytwin executable");
  const std::string database = (citytwin::testing::scratchDirectory() / "crash.sqlite").string();
  constexpr int kRestarts = 5;
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
                         {"count", {{"type", "Property"}, {"value", sequence},
                                    {"observedAt", citytwin::formatDateTime(base + sequence * 1000LL)}}}});
        sent.emplace_back(id, sequence);
      }
      const auto response = client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", batch.dump(), "application/json");
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
    const auto history = client.Get(("/ngsi-ld/v1/temporal/entities/" + id + "?attrs=count&options=temporalValues").c_str());
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
