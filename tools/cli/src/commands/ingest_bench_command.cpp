#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "citytwin/core/date_time.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/server/context_service.hpp"
#ifdef CITYTWIN_HAS_POSTGRESQL
#include "citytwin/postgres/local_server.hpp"
#endif
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct IngestBenchArguments {
  double seconds = 5.0;
  std::size_t clients = 2;
  std::size_t batch = 1000;
  std::size_t attributes = 5;
  std::size_t singleUpdates = 1000;
  std::size_t temporalPoints = 10000;
  std::string sync = "full";
  std::string
      store;  // empty: SQLite only; postgresql: also a private server; postgresql://...: also that one
  bool json = false;
};

// A batch of `count` entities with `attributes` numeric Properties each, observed at `observedAt`.
std::string batchBody(std::size_t client, std::size_t first, std::size_t count, std::size_t attributes,
                      std::int64_t observedMs, double value) {
  const std::string observedAt = formatDateTime(observedMs);
  std::string body = "[";
  char buffer[160];
  for (std::size_t i = 0; i < count; ++i) {
    std::snprintf(buffer, sizeof buffer, "%s{\"id\":\"urn:ngsi-ld:Sensor:c%zu-%zu\",\"type\":\"Sensor\"",
                  i ? "," : "", client, first + i);
    body += buffer;
    for (std::size_t a = 0; a < attributes; ++a) {
      std::snprintf(buffer, sizeof buffer,
                    ",\"m%zu\":{\"type\":\"Property\",\"value\":%.3f,\"observedAt\":\"%s\"}", a,
                    value + static_cast<double>(a), observedAt.c_str());
      body += buffer;
    }
    body += "}";
  }
  body += "]";
  return body;
}

struct ScratchDirectory {
  std::filesystem::path path;
  ScratchDirectory() {
    std::random_device random;
    path = std::filesystem::temp_directory_path() / ("citytwin-bench-ingest-" + std::to_string(random()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

// One store under load: throughput of batch upserts, latency of single updates, a temporal query.
nlohmann::json measureStore(const IngestBenchArguments& args, server::ServiceOptions options) {
  options.port = 0;
  options.maxBatchEntities = std::max<std::size_t>(args.batch, 1000);
  options.threads = std::max<std::size_t>(4, args.clients + 2);
  server::ContextService service(options);
  const int port = service.start();
  const std::int64_t baseTime = *parseDateTime("2025-01-01T00:00:00Z");

  // 1. Throughput: each client upserts batches of `batch` entities over its own keep-alive connection.
  std::atomic<std::uint64_t> acknowledgedAttributes{0}, acknowledgedBatches{0}, failures{0};
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(args.seconds));
  std::vector<std::thread> clients;
  for (std::size_t c = 0; c < args.clients; ++c) {
    clients.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      // Bodies prepared ahead so the measurement is of the service, not of the client's JSON writing.
      std::vector<std::string> bodies;
      for (std::size_t k = 0; k < 4; ++k) {
        bodies.push_back(batchBody(c, k * args.batch, args.batch, args.attributes,
                                   baseTime + static_cast<std::int64_t>(k) * 1000, 1.0 + k));
      }
      for (std::size_t k = 0; Clock::now() < deadline; ++k) {
        const auto response = client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update",
                                          bodies[k % bodies.size()], "application/json");
        if (response && (response->status == 201 || response->status == 204)) {
          acknowledgedAttributes += args.batch * args.attributes;
          ++acknowledgedBatches;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60);
  client.set_keep_alive(true);
  client.set_tcp_nodelay(true);
  // 2. Latency of single-entity attribute updates, one at a time.
  std::vector<double> latencies;
  for (std::size_t i = 0; i < args.singleUpdates; ++i) {
    const std::string body = "{\"m0\":{\"type\":\"Property\",\"value\":" + std::to_string(i) +
                             ",\"observedAt\":\"" +
                             formatDateTime(baseTime + 3600000 + static_cast<std::int64_t>(i)) + "\"}}";
    const auto t0 = Clock::now();
    const auto response =
        client.Patch("/ngsi-ld/v1/entities/urn:ngsi-ld:Sensor:c0-0/attrs", body, "application/json");
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!response || response->status != 204) ++failures;
  }
  std::sort(latencies.begin(), latencies.end());
  const auto percentile = [&](double p) {
    return latencies.empty()
               ? 0.0
               : latencies[std::min(latencies.size() - 1, static_cast<std::size_t>(p * latencies.size()))];
  };

  // 3. A temporal query over `temporalPoints` instances of one attribute.
  const std::string temporalId = "urn:ngsi-ld:Sensor:temporal";
  for (std::size_t done = 0; done < args.temporalPoints;) {
    const std::size_t count = std::min<std::size_t>(1000, args.temporalPoints - done);
    std::string body = "[";
    for (std::size_t i = 0; i < count; ++i) {
      body +=
          (i ? "," : "") + std::string("{\"id\":\"") + temporalId +
          "\",\"type\":\"Sensor\",\"level\":{\"type\":\"Property\",\"value\":" + std::to_string(done + i) +
          ",\"observedAt\":\"" + formatDateTime(baseTime + static_cast<std::int64_t>(done + i) * 60000) +
          "\"}}";
    }
    body += "]";
    const auto response =
        client.Post("/ngsi-ld/v1/entityOperations/upsert?options=update", body, "application/json");
    if (!response || response->status / 100 != 2)
      throw Error("bench ingest: loading the temporal series failed");
    done += count;
  }
  std::vector<double> temporalTimes;
  std::size_t points = 0;
  for (int run = 0; run < 5; ++run) {
    const auto t0 = Clock::now();
    const auto response =
        client.Get(("/ngsi-ld/v1/temporal/entities/" + temporalId + "?attrs=level").c_str());
    temporalTimes.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!response || response->status != 200) throw Error("bench ingest: the temporal query failed");
    const auto document = nlohmann::json::parse(response->body);
    points = document.contains("level") ? document["level"].size() : 0;
  }
  std::sort(temporalTimes.begin(), temporalTimes.end());
  service.stop();

  const double attributeRate = static_cast<double>(acknowledgedAttributes.load()) / elapsed;
  nlohmann::json result = {{"attribute_updates_per_s", attributeRate},
                           {"entity_updates_per_s", attributeRate / static_cast<double>(args.attributes)},
                           {"batches", acknowledgedBatches.load()},
                           {"batch_size", args.batch},
                           {"attributes_per_entity", args.attributes},
                           {"clients", args.clients},
                           {"seconds", elapsed},
                           {"sync", options.storeUrl.empty() ? args.sync : "synchronous_commit=on"},
                           {"p50_single_update_ms", percentile(0.50)},
                           {"p99_single_update_ms", percentile(0.99)},
                           {"temporal_query_ms", temporalTimes[temporalTimes.size() / 2]},
                           {"temporal_points", points},
                           {"failed_requests", failures.load()},
                           {"hardware_threads", std::thread::hardware_concurrency()}};
  return result;
}

void printStore(const std::string& name, const nlohmann::json& result) {
  std::printf("%s\n", name.c_str());
  std::printf(
      "  attribute updates   %.0f /s (%llu batches of %zu entities x %zu attributes, %zu clients, %.1f s, "
      "%s)\n",
      result["attribute_updates_per_s"].get<double>(), result["batches"].get<unsigned long long>(),
      result["batch_size"].get<std::size_t>(), result["attributes_per_entity"].get<std::size_t>(),
      result["clients"].get<std::size_t>(), result["seconds"].get<double>(),
      result["sync"].get<std::string>().c_str());
  std::printf("  single update       p50 %.2f ms, p99 %.2f ms\n",
              result["p50_single_update_ms"].get<double>(), result["p99_single_update_ms"].get<double>());
  std::printf("  temporal query      %.1f ms for %zu points\n", result["temporal_query_ms"].get<double>(),
              result["temporal_points"].get<std::size_t>());
  if (result["failed_requests"].get<std::uint64_t>()) {
    std::printf("  failed requests     %llu\n", result["failed_requests"].get<unsigned long long>());
  }
}

void benchIngest(const IngestBenchArguments& args) {
  if (args.sync != "full" && args.sync != "normal") throw Error("--sync must be full or normal");
  if (args.clients == 0 || args.batch == 0 || args.attributes == 0)
    throw Error("--clients, --batch, --attributes must be positive");
  const bool privatePostgres = args.store == "postgresql";
  const bool givenPostgres = args.store.starts_with("postgresql://") || args.store.starts_with("postgres://");
  if (!args.store.empty() && !privatePostgres && !givenPostgres) {
    throw Error("--store must be postgresql (a private server) or a postgresql:// URL, got '" + args.store +
                "'");
  }
  ScratchDirectory scratch;
  server::ServiceOptions sqliteOptions;
  sqliteOptions.databasePath = scratch.path / "bench.sqlite";
  sqliteOptions.synchronousFull = args.sync == "full";
  nlohmann::json results = {{"sqlite", measureStore(args, sqliteOptions)}};
  if (!args.store.empty()) {
#ifdef CITYTWIN_HAS_POSTGRESQL
    // The same load on PostgreSQL, in the same run: the figures compare on whatever else the machine does.
    std::unique_ptr<postgres::LocalServer> server;
    server::ServiceOptions postgresOptions;
    postgresOptions.storeUrl = args.store;
    // The service's own SQLite files (broker state, other tenants) go to the scratch folder, not the cwd.
    postgresOptions.databasePath = scratch.path / "postgres-service";
    if (privatePostgres) {
      const auto binaries = postgres::LocalServer::binaries();
      if (!binaries)
        throw Error(
            "bench ingest: --store postgresql needs initdb and pg_ctl (postgresql-15) in "
            "/usr/lib/postgresql/15/bin or $CITYTWIN_POSTGRES_BIN");
      server = std::make_unique<postgres::LocalServer>(*binaries);
      postgresOptions.storeUrl = server->createDatabase("citytwin_bench");
    }
    results["postgresql"] = measureStore(args, postgresOptions);
    results["postgresql_to_sqlite"] = results["postgresql"]["attribute_updates_per_s"].get<double>() /
                                      results["sqlite"]["attribute_updates_per_s"].get<double>();
#else
    throw Error("bench ingest: this citytwin was built without libpq (libpq-dev); no PostgreSQL store");
#endif
  }
  if (args.json) {
    printJson(results);
    return;
  }
  printStore("SQLite", results["sqlite"]);
  if (results.contains("postgresql")) {
    printStore("PostgreSQL", results["postgresql"]);
    std::printf("PostgreSQL / SQLite attribute updates: %.2f (same run)\n",
                results["postgresql_to_sqlite"].get<double>());
  }
}

void registerIngestBench(CommandTree& tree) {
  auto args = std::make_shared<IngestBenchArguments>();
  CLI::App* bench = tree.bench.add_subcommand(
      "ingest", "Durable NGSI-LD ingest throughput, update latency, temporal queries");
  bench->add_option("--seconds", args->seconds, "Duration of the throughput phase")->capture_default_str();
  bench->add_option("--clients", args->clients, "Concurrent client connections")->capture_default_str();
  bench->add_option("--batch", args->batch, "Entities per batch upsert")->capture_default_str();
  bench->add_option("--attributes", args->attributes, "Attributes per entity")->capture_default_str();
  bench->add_option("--single-updates", args->singleUpdates, "Single-entity updates timed for latency")
      ->capture_default_str();
  bench->add_option("--temporal-points", args->temporalPoints, "History length of the temporal query")
      ->capture_default_str();
  bench->add_option("--sync", args->sync, "SQLite synchronous mode: full or normal")->capture_default_str();
  bench->add_option(
      "--store", args->store,
      "Also measure PostgreSQL in the same run: 'postgresql' starts a private server in a temporary "
      "folder, a postgresql:// URL uses that (empty) database");
  addJsonFlag(*bench, args->json);
  bench->callback([args] { benchIngest(*args); });
}

const CommandGroupRegistrar registrar(73, registerIngestBench);

}  // namespace
}  // namespace citytwin::cli
