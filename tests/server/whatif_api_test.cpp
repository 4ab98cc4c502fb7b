// The what-if routes of the service with a stand-in model: status codes, ProblemDetails of bad bodies,
// and the life of a job (queued -> completed or failed). The real models are covered by live_whatif_test.
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/server/context_service.hpp"
#include "citytwin/sim/model.hpp"
#include "citytwin/testing/shared_data.hpp"
#include "citytwin/testing/tiny_city.hpp"

using namespace citytwin::server;
using nlohmann::json;

namespace {

// Stands in for the flood model: reports a fixed depth, and diverges in runs longer than 15 minutes.
class StandInFlood : public citytwin::sim::Model {
 public:
  explicit StandInFlood(std::atomic<int>& runs) : runs_(runs) {}
  citytwin::sim::ModelDescription describe() const override {
    return {
        "flood",
        {},
        {},
        60 * citytwin::sim::kSecond,
        true,
        {},
        {{"max_depth_m", "m", "deepest water", citytwin::sim::KpiDirection::LowerIsBetter, "run so far"}}};
  }
  void initialise(const citytwin::sim::ModelContext& context, citytwin::city::CityState&) override {
    ++runs_;
    diverges_ = context.end > 15 * 60 * citytwin::sim::kSecond;
  }
  void step(citytwin::sim::SimTime, citytwin::sim::SimTime, const citytwin::city::CityState&,
            citytwin::city::CityState&) override {
    if (diverges_) throw citytwin::Error("the flood model diverged");
  }
  citytwin::sim::Kpis kpis() const override { return {{"max_depth_m", 1.5}}; }
  std::vector<std::uint8_t> snapshot() const override { return {}; }
  void restore(std::span<const std::uint8_t>) override {}

 private:
  std::atomic<int>& runs_;
  bool diverges_ = false;
};

struct Answer {
  int status = 0;
  json body;
  std::string location;
};

class WhatIfService {
 public:
  explicit WhatIfService(bool withCity, std::string token = "") {
    ServiceOptions options;
    options.bindAddress = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    options.token = token;
    options.maxScenarioBytes = 1024;
    static int instances = 0;
    const std::string name = "whatif" + std::to_string(++instances);
    const auto scratch = citytwin::testing::scratchDirectory();
    options.databasePath = scratch / (name + ".sqlite");
    if (withCity) {
      auto city = std::make_shared<const citytwin::city::CityModel>(citytwin::testing::tinyCity());
      const auto cityPath = scratch / (name + ".gpkg");
      citytwin::io::saveCity(*city, cityPath);
      auto models = std::make_shared<citytwin::sim::ModelRegistry>();
      models->add("flood", [this] { return std::make_unique<StandInFlood>(runs); });
      options.whatIf = WhatIfSettings{city, cityPath, scratch / (name + "-whatif"), models};
    }
    service_ = std::make_unique<ContextService>(options);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", service_->start());
    client_->set_read_timeout(10);
  }

  Answer post(const std::string& body, const std::string& contentType = "application/toml",
              httplib::Headers headers = {}) {
    const auto result = client_->Post("/citytwin/v1/whatif", headers, body, contentType.c_str());
    REQUIRE(result);
    return {result->status, json::parse(result->body, nullptr, false), result->get_header_value("Location")};
  }
  Answer get(const std::string& path, httplib::Headers headers = {}) {
    const auto result = client_->Get(path.c_str(), headers);
    REQUIRE(result);
    return {result->status, json::parse(result->body, nullptr, false), ""};
  }
  // Polls the job until it leaves queued/running (at most 10 s).
  json finished(const std::string& location) {
    for (int i = 0; i < 1000; ++i) {
      const Answer answer = get(location);
      REQUIRE(answer.status == 200);
      const std::string status = answer.body["status"];
      if (status != "queued" && status != "running") return answer.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("the job did not finish");
    return {};
  }

  std::atomic<int> runs{0};

 private:
  std::unique_ptr<ContextService> service_;
  std::unique_ptr<httplib::Client> client_;
};

std::string errorType(const Answer& answer) {
  return answer.body.is_object() ? answer.body.value("type", std::string()) : std::string();
}

const std::string kScenario =
    "name = \"storm\"\nstart = 2026-07-01T14:00:00Z\nduration = \"10m\"\nmodels = [\"flood\"]\n";

}  // namespace

TEST_CASE("a what-if is accepted with 202 and its job reports the KPIs") {
  WhatIfService service(true);
  const Answer accepted = service.post(kScenario);
  CHECK(accepted.status == 202);
  REQUIRE(accepted.location.rfind("/citytwin/v1/whatif/", 0) == 0);
  CHECK(accepted.body["id"] == accepted.location.substr(std::string("/citytwin/v1/whatif/").size()));
  const json job = service.finished(accepted.location);
  CHECK(job["status"] == "completed");
  CHECK(job["result"]["variants"][0]["kpis"]["flood.max_depth_m"] == 1.5);
  CHECK(job["result"]["scenario"] == "storm");
  CHECK(job["result"]["database"].get<std::string>().find(accepted.body["id"].get<std::string>()) !=
        std::string::npos);
  CHECK(job.contains("startedAt"));
  CHECK(job.contains("finishedAt"));
}

TEST_CASE("a what-if whose run fails reports the failure in its job") {
  WhatIfService service(true);
  std::string diverging = kScenario;
  diverging.replace(diverging.find("10m"), 3, "20m");
  const Answer accepted = service.post(diverging);
  REQUIRE(accepted.status == 202);
  const json job = service.finished(accepted.location);
  CHECK(job["status"] == "failed");
  CHECK(job["error"].get<std::string>().find("diverged") != std::string::npos);
}

TEST_CASE("bad what-if bodies answer ProblemDetails and start nothing") {
  WhatIfService service(true);
  SUBCASE("a scenario the parser refuses is 400 BadRequestData naming the problem") {
    const Answer answer = service.post("name = \"storm\"\nstart = 2026-07-01T14:00:00Z\nduration = \"1h\"\n");
    CHECK(answer.status == 400);
    CHECK(errorType(answer) == "https://uri.etsi.org/ngsi-ld/errors/BadRequestData");
    INFO(answer.body.dump());
    CHECK(answer.body["detail"].get<std::string>().find("'models': missing") != std::string::npos);
  }
  SUBCASE("a mistyped key is 400 naming the line as posted, not a file of the service") {
    const Answer answer = service.post(kScenario + "durration = \"1h\"\n");
    CHECK(answer.status == 400);
    const std::string detail = answer.body.value("detail", std::string());
    INFO(detail);
    CHECK(detail.find("durration") != std::string::npos);
    CHECK(detail.find("request body:5:") != std::string::npos);
    CHECK(detail.find("whatif.toml") == std::string::npos);
  }
  SUBCASE("an empty body is 400") {
    const Answer answer = service.post("  \n");
    CHECK(answer.status == 400);
    CHECK(answer.body["detail"].get<std::string>().find("scenario") != std::string::npos);
  }
  SUBCASE("a JSON body is 415") {
    const Answer answer = service.post("{\"models\": []}", "application/json");
    CHECK(answer.status == 415);
    CHECK(answer.body["title"] == "UnsupportedMediaType");
  }
  SUBCASE("a body over the scenario limit is 413") {
    const Answer answer = service.post(kScenario + "# " + std::string(2000, 'x') + "\n");
    CHECK(answer.status == 413);
    CHECK(answer.body["title"] == "PayloadTooLarge");
  }
  SUBCASE("an unknown job is 404") {
    const Answer answer = service.get("/citytwin/v1/whatif/whatif-999");
    CHECK(answer.status == 404);
    CHECK(answer.body["title"] == "ResourceNotFound");
  }
  CHECK(service.runs == 0);
}

TEST_CASE("what-ifs need the bearer token like every other route") {
  WhatIfService service(true, "s3cret");
  CHECK(service.post(kScenario).status == 401);
  CHECK(service.get("/citytwin/v1/whatif/whatif-1").status == 401);
  CHECK(service.post(kScenario, "text/plain", {{"Authorization", "Bearer s3cret"}}).status == 202);
}

TEST_CASE("a service without a city answers 404 to what-ifs") {
  WhatIfService service(false);
  const Answer answer = service.post(kScenario);
  CHECK(answer.status == 404);
  CHECK(answer.body["detail"].get<std::string>().find("what-if") != std::string::npos);
}
