// Smart Data Models entities of every domain in the reference data, posted with their published @context
// URL, are accepted when the contexts are preloaded with a --context-cache folder and when they are fetched
// from a local HTTP server (allow-listed 127.0.0.1); refused hosts, --offline and missing documents stay
// 503 LdContextNotAvailable; fetched documents persist across a restart.
#include <doctest/doctest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "citytwin/server/context_service.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;
using namespace citytwin::server;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Domain {
  std::string name;  // "Parking"
  fs::path file;     // context-Parking.jsonld
  std::string type;  // a type term the file defines
  std::string typeIri;
};

json readJson(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in, path.string());
  return json::parse(in);
}

// Every context-<Domain>.jsonld with a type term of its own (an upper-case term whose IRI names the domain).
std::vector<Domain> domains(const fs::path& root) {
  std::vector<Domain> out;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string file = entry.path().filename().string();
    if (!file.starts_with("context-") || !file.ends_with(".jsonld")) continue;
    Domain domain{file.substr(8, file.size() - 8 - 7), entry.path(), {}, {}};
    const json context = readJson(entry.path())["@context"];
    for (const auto& [term, definition] : context.items()) {
      const std::string iri =
          definition.is_string() ? definition.get<std::string>() : definition.value("@id", "");
      if (!term.empty() && std::isupper(static_cast<unsigned char>(term[0])) &&
          iri.find("dataModel." + domain.name + "/") != std::string::npos) {
        domain.type = term;
        domain.typeIri = iri;
        break;
      }
    }
    REQUIRE_MESSAGE(!domain.type.empty(), file);
    out.push_back(domain);
  }
  std::sort(out.begin(), out.end(), [](const Domain& a, const Domain& b) { return a.name < b.name; });
  return out;
}

std::string publishedUrl(const std::string& domain) {
  return "https://raw.githubusercontent.com/smart-data-models/dataModel." + domain + "/master/context.jsonld";
}

class Service {
 public:
  explicit Service(ServiceOptions options, const std::string& name) {
    options.port = 0;
    options.threads = 2;
    if (options.databasePath.empty()) options.databasePath = testing::scratchDirectory() / (name + ".sqlite");
    service_ = std::make_unique<ContextService>(options);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", service_->start());
    client_->set_read_timeout(10);
  }
  ~Service() { service_->stop(); }
  // Posts an entity of the domain's type with `contextUrl` in the body; returns the status.
  int postEntity(const Domain& domain, const std::string& contextUrl, const std::string& id) {
    const json entity{{"id", id}, {"type", domain.type}, {"@context", contextUrl}};
    const auto result = client_->Post("/ngsi-ld/v1/entities", entity.dump(), "application/ld+json");
    REQUIRE(result);
    return result->status;
  }
  // The stored type, without a Link header: the full IRI the document defines.
  std::string storedType(const std::string& id) {
    const auto result = client_->Get(("/ngsi-ld/v1/entities/" + id).c_str());
    REQUIRE(result);
    REQUIRE(result->status == 200);
    return json::parse(result->body)["type"].get<std::string>();
  }
  httplib::Client& client() { return *client_; }

 private:
  std::unique_ptr<ContextService> service_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace

TEST_CASE(
    "every Smart Data Models domain context is usable from a --context-cache folder and by fetching it") {
  const auto root = testing::sharedData("context/smartdatamodels");
  if (!root) return;
  const auto all = domains(*root);
  REQUIRE(all.size() >= 8);

  SUBCASE("preloaded with --context-cache, offline") {
    const fs::path folder = testing::scratchDirectory() / "context-cache";
    fs::create_directories(folder);
    json index = json::object();
    for (const auto& domain : all) {
      fs::copy_file(domain.file, folder / domain.file.filename(), fs::copy_options::overwrite_existing);
      index[publishedUrl(domain.name)] = domain.file.filename().string();
      index["https://example.test/" + domain.name + "/context.jsonld"] = domain.file.filename().string();
    }
    std::ofstream(folder / "index.json") << index.dump(2);
    ServiceOptions options;
    options.contextFetch.offline = true;
    options.contextCacheFolders = {folder.string()};
    Service service(options, "cache");
    ServiceOptions bare;
    bare.contextFetch.offline = true;
    Service without(bare, "nocache");
    for (const auto& domain : all) {
      CAPTURE(domain.name);
      const std::string id = "urn:ngsi-ld:" + domain.type + ":cached";
      CHECK(service.postEntity(domain, publishedUrl(domain.name), id) == 201);
      CHECK(service.storedType(id) == domain.typeIri);
      // A URL only the folder knows: without it the same entity is refused.
      const std::string other = "https://example.test/" + domain.name + "/context.jsonld";
      CHECK(service.postEntity(domain, other, id + "2") == 201);
      CHECK(without.postEntity(domain, other, id + "2") == 503);
    }
    const auto listed = service.client().Get("/ngsi-ld/v1/jsonldContexts?kind=Cached");
    REQUIRE(listed);
    CHECK(json::parse(listed->body).size() == 2 * all.size());
  }

  SUBCASE("fetched from a local HTTP server, allow-listed, and kept across a restart") {
    httplib::Server contexts;
    int fetches = 0;
    contexts.Get(R"(/dataModel\.([A-Za-z]+)/context\.jsonld)",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   ++fetches;
                   const fs::path file = *root / ("context-" + std::string(req.matches[1]) + ".jsonld");
                   if (!fs::exists(file)) {
                     res.status = 404;
                     return;
                   }
                   std::ifstream in(file);
                   std::stringstream text;
                   text << in.rdbuf();
                   res.set_content(text.str(), "application/ld+json");
                 });
    const int port = contexts.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { contexts.listen_after_bind(); });
    const auto url = [port](const std::string& domain) {
      return "http://127.0.0.1:" + std::to_string(port) + "/dataModel." + domain + "/context.jsonld";
    };
    ServiceOptions options;
    options.contextFetch.allow = {"127.0.0.1"};
    options.contextFetch.timeout = std::chrono::milliseconds(3000);
    options.databasePath = testing::scratchDirectory() / "fetch.sqlite";
    {
      Service service(options, "fetch");
      for (const auto& domain : all) {
        CAPTURE(domain.name);
        const std::string id = "urn:ngsi-ld:" + domain.type + ":fetched";
        CHECK(service.postEntity(domain, url(domain.name), id) == 201);
        CHECK(service.storedType(id) == domain.typeIri);
      }
      CHECK(fetches == static_cast<int>(all.size()));
      CHECK(service.postEntity(all[0], url("NoSuchDomain"), "urn:ngsi-ld:X:missing") == 503);
    }
    ServiceOptions denied = options;
    denied.databasePath = testing::scratchDirectory() / "denied.sqlite";
    denied.contextFetch.deny = {"127.0.0.1:" + std::to_string(port)};
    {
      Service service(denied, "denied");
      CHECK(service.postEntity(all[0], url(all[0].name), "urn:ngsi-ld:X:denied") == 503);
    }
    contexts.stop();
    serving.join();
    // Restarted offline with the server gone: the fetched documents come from the store.
    options.contextFetch.offline = true;
    Service restarted(options, "fetch");
    for (const auto& domain : all) {
      CHECK(restarted.postEntity(domain, url(domain.name), "urn:ngsi-ld:" + domain.type + ":again") == 201);
    }
  }
}
