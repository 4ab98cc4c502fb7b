#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "citytwin/context/live_city.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/server/upstream_link.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"

namespace citytwin::cli {
namespace {

struct ServeArguments {
  std::string city;
  std::string bind = "127.0.0.1";
  int port = 1026;
  std::string token;
  std::vector<std::string> tenantTokens;  // TENANT:TOKEN
  std::string database;
  std::string store;
  std::string sync = "full";
  std::size_t threads = 8;
  std::size_t maxBatch = 10000;
  std::size_t maxResults = 1000;
  std::size_t maxBodyMiB = 32;
  std::size_t maxScenarioKiB = 256;
  std::string whatIfOut;
  std::vector<std::string> contextCache;
  std::vector<std::string> contextAllow;
  std::vector<std::string> contextDeny;
  bool offline = false;
  std::size_t contextMaxKiB = 1024;
  double contextTimeoutS = 5;
  std::string upstream;
  std::string upstreamToken;
  std::string upstreamNotifyUrl;
  double upstreamLeaseS = 3600;
  bool json = false;
};

// Waits for SIGINT or SIGTERM on the calling thread. The signals are blocked before any thread starts, so
// they are delivered only here and the service can stop cleanly (SIGKILL needs no handling: every
// acknowledged write is already committed).
int waitForTermination(const sigset_t& signals) {
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

void serve(const ServeArguments& args) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ServiceOptions options;
  options.bindAddress = args.bind;
  options.port = args.port;
  options.token = args.token;
  for (const auto& binding : args.tenantTokens) {
    const auto colon = binding.find(':');
    const std::string tenant = binding.substr(0, colon == std::string::npos ? 0 : colon);
    const bool validTenant = std::all_of(tenant.begin(), tenant.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (colon == std::string::npos || colon + 1 == binding.size() || !validTenant || tenant.size() > 64) {
      throw Error("--tenant-token '" + binding +
                  "' must be TENANT:TOKEN (a tenant name of letters, digits, _ and -, or none for the default "
                  "tenant, and a non-empty token)");
    }
    const std::string token = binding.substr(colon + 1);
    if (token == args.token || !options.tenantTokens.emplace(token, tenant).second)
      throw Error("--tenant-token '" + binding + "': this token is already given");
  }
  options.threads = args.threads;
  options.maxBatchEntities = args.maxBatch;
  options.maxResults = args.maxResults;
  options.maxBodyBytes = args.maxBodyMiB << 20;
  if (args.sync != "full" && args.sync != "normal") throw Error("--sync must be full or normal, got '" + args.sync + "'");
  options.synchronousFull = args.sync == "full";

  options.maxScenarioBytes = args.maxScenarioKiB << 10;
  options.contextCacheFolders = args.contextCache;
  options.contextFetch.offline = args.offline;
  options.contextFetch.allow = args.contextAllow;
  options.contextFetch.deny = args.contextDeny;
  options.contextFetch.maxBytes = args.contextMaxKiB << 10;
  options.contextFetch.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(args.contextTimeoutS * 1000));

  std::unique_ptr<context::LiveCity> live;
  std::filesystem::path database = args.database;
  const bool postgres = args.store.starts_with("postgresql://") || args.store.starts_with("postgres://");
  if (!args.store.empty()) {
    if (!args.database.empty()) throw Error("give the store with --store or --db, not both");
    if (postgres) {
      options.storeUrl = args.store;
    } else {
      database = args.store;
    }
  }
  if (!args.city.empty()) {
    auto city = std::make_shared<const city::CityModel>(io::loadCity(args.city));
    live = std::make_unique<context::LiveCity>(*city);
    if (database.empty()) database = std::filesystem::path(args.city).replace_extension(".context.sqlite");
    const std::filesystem::path out = args.whatIfOut.empty()
                                          ? std::filesystem::path(database).replace_extension("").concat("-whatif")
                                          : std::filesystem::path(args.whatIfOut);
    options.whatIf = server::WhatIfSettings{city, args.city, out, nullptr};
    options.city = city;
  }
  if (database.empty()) database = "citytwin-context.sqlite";
  // With a PostgreSQL store this path still names the SQLite files beside it that hold the subscriptions
  // (`<path>-broker.sqlite`) and the stores of tenants other than the default one.
  options.databasePath = database;
  // Where the entities live, for the start message (a URL's password left out).
  std::string storeName = database.string();
  if (postgres) {
    storeName = args.store;
    const auto at = storeName.find('@'), colon = storeName.find(':', storeName.find("://") + 3);
    if (at != std::string::npos && colon < at) storeName = storeName.substr(0, colon) + ":***" + storeName.substr(at);
  }
  if (live) {
    options.stateSummary = [&live] { return live->summary(); };
  }
  server::ContextService service(options);
  if (live) {
    // Bring the city up to date with what was stored before this start, then follow every commit.
    std::vector<context::Entity> stored;
    service.store().forEach([&](const context::Entity& e) {
      stored.push_back(e);
      return true;
    });
    live->apply(stored);
    service.setChangeListener([&live](const std::vector<context::Entity>& changed) { live->apply(changed); });
  }
  const int port = service.start();
  const std::string url = "http://" + args.bind + ":" + std::to_string(port);
  std::unique_ptr<server::UpstreamLink> upstream;
  if (!args.upstream.empty()) {
    server::UpstreamSettings settings;
    settings.url = args.upstream;
    settings.token = args.upstreamToken;
    settings.notifyToken = args.token;
    settings.notifyUrl = args.upstreamNotifyUrl;
    if (settings.notifyUrl.empty()) {
      if (args.bind == "0.0.0.0" || args.bind == "::")
        throw Error("--upstream with --bind " + args.bind +
                    " needs --upstream-notify-url: the address the upstream broker reaches this service at");
      settings.notifyUrl = url + "/ngsi-ld/v1/notify";
    }
    if (args.upstreamLeaseS < 2) throw Error("--upstream-lease must be at least 2 seconds");
    settings.lease = std::chrono::seconds(static_cast<std::int64_t>(args.upstreamLeaseS));
    upstream = std::make_unique<server::UpstreamLink>(settings, service.store());
  }
  if (args.json) {
    nlohmann::json document = {
        {"url", url}, {"port", port}, {"database", storeName}, {"entities", service.store().entityCount()}};
    if (live) document["ogcapi"] = url + "/ogcapi";
    if (upstream) {
      document["upstream"] = {{"url", args.upstream},
                              {"subscription", upstream->subscriptionId()},
                              {"entities_copied", upstream->entitiesCopied()}};
    }
    printJson(document);
    std::fflush(stdout);
  } else {
    std::cerr << "citytwin serve: NGSI-LD API at " << url << "/ngsi-ld/v1/ (" << service.store().entityCount()
              << " entities in " << storeName << (postgres ? "" : ", sync " + args.sync) << ")" << std::endl;
    if (live) std::cerr << "citytwin serve: OGC API - Features at " << url << "/ogcapi" << std::endl;
    if (upstream) {
      std::cerr << "citytwin serve: following " << args.upstream << " (" << upstream->entitiesCopied()
                << " entities copied; subscription " << upstream->subscriptionId() << ")" << std::endl;
    }
  }
  waitForTermination(signals);
  upstream.reset();  // deletes the upstream subscription
  service.stop();
}

void registerServeCommand(CommandTree& tree) {
  auto args = std::make_shared<ServeArguments>();
  CLI::App* serve = tree.root.add_subcommand("serve", "Serve the NGSI-LD context API that keeps the city current");
  serve->add_option("--city", args->city, "City file (.gpkg) whose state live observations update");
  serve->add_option("--bind", args->bind, "Address to listen on (loopback unless told otherwise)")->capture_default_str();
  serve->add_option("--port", args->port, "TCP port (0: any free port)")->capture_default_str();
  serve->add_option("--token", args->token, "Require 'Authorization: Bearer TOKEN' on every request");
  serve->add_option("--tenant-token", args->tenantTokens,
                    "TENANT:TOKEN: a token valid only for requests with 'NGSILD-Tenant: TENANT' (':TOKEN' for the "
                    "default tenant); repeatable");
  serve->add_option("--db", args->database, "SQLite database of entities and history (default: next to the city)");
  serve->add_option("--store", args->store,
                    "Live store: a SQLite file, or a PostgreSQL/PostGIS URL (postgresql://host/db or "
                    "postgresql:///db?host=/socket/dir) that several services can share");
  serve->add_option("--sync", args->sync, "SQLite synchronous mode: full (fsync per commit) or normal")->capture_default_str();
  serve->add_option("--threads", args->threads, "HTTP worker threads")->capture_default_str();
  serve->add_option("--max-batch", args->maxBatch, "Largest batch operation (entities)")->capture_default_str();
  serve->add_option("--max-results", args->maxResults, "Largest limit= of a query")->capture_default_str();
  serve->add_option("--max-body-mib", args->maxBodyMiB, "Largest request body (MiB)")->capture_default_str();
  serve->add_option("--max-scenario-kib", args->maxScenarioKiB, "Largest what-if scenario (KiB)")->capture_default_str();
  serve->add_option("--whatif-out", args->whatIfOut,
                    "Folder of what-if runs, one per job (default: next to the database, <db>-whatif)");
  serve->add_option("--context-cache", args->contextCache,
                    "Folder of preloaded @context documents: index.json {\"<url>\": \"<file>\"} and the files "
                    "(repeatable; default: $CITYTWIN_CONTEXT_CACHE)")
      ->envname("CITYTWIN_CONTEXT_CACHE");
  serve->add_option("--context-allow", args->contextAllow,
                    "Hosts remote @context documents may be fetched from (host, host:port, *.domain; default: any)");
  serve->add_option("--context-deny", args->contextDeny, "Hosts never fetched from (wins over --context-allow)");
  serve->add_flag("--offline", args->offline, "Never fetch remote @context documents (503 unless cached or hosted)");
  serve->add_option("--context-max-kib", args->contextMaxKiB, "Largest fetched @context document (KiB)")
      ->capture_default_str();
  serve->add_option("--context-timeout", args->contextTimeoutS, "Timeout of a @context fetch (seconds)")
      ->capture_default_str();
  serve->add_option("--upstream", args->upstream,
                    "Keep the twin live from this NGSI-LD broker (http://host:port): copy the mapped types it "
                    "holds, subscribe there for their changes and renew the subscription");
  serve->add_option("--upstream-token", args->upstreamToken, "Bearer token for the --upstream broker");
  serve->add_option("--upstream-notify-url", args->upstreamNotifyUrl,
                    "Where the upstream broker notifies (default: this service's /ngsi-ld/v1/notify at --bind)");
  serve->add_option("--upstream-lease", args->upstreamLeaseS,
                    "Lifetime of the upstream subscription in seconds; renewed at 80 % of it")
      ->capture_default_str();
  addJsonFlag(*serve, args->json);
  serve->callback([args] { citytwin::cli::serve(*args); });
}

const CommandGroupRegistrar registrar(70, registerServeCommand);

}  // namespace
}  // namespace citytwin::cli
