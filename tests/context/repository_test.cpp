#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/sqlite_entity_repository.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin::context;
using nlohmann::json;

namespace {

Entity sensor(int number, double lon, double temperature) {
  return parseEntity(json{{"id", "urn:ngsi-ld:Sensor:" + std::to_string(number)},
                          {"type", "Sensor"},
                          {"temperature", {{"type", "Property"}, {"value", temperature}}},
                          {"location", {{"type", "GeoProperty"}, {"value", {{"type", "Point"}, {"coordinates", {lon, 43.70}}}}}}},
                     *coreContext());
}

WriteOperation upsert(Entity entity) {
  WriteOperation op;
  op.kind = WriteKind::Upsert;
  op.entity = std::move(entity);
  return op;
}

std::vector<std::string> ids(const QueryResult& result) {
  std::vector<std::string> out;
  for (const auto& entity : result.entities) out.push_back(entity.id);
  return out;
}

}  // namespace

TEST_CASE("the SQLite repository answers queries without HTTP, with the kinds of its errors") {
  const auto path = citytwin::testing::scratchDirectory() / "repository.sqlite";
  std::vector<std::string> notified;
  {
    SqliteEntityRepository repository({path, true});
    EntityRepository& entities = repository;
    entities.setChangeListener([&](const std::vector<Entity>& changed) {
      for (const auto& entity : changed) notified.push_back(entity.id);
    });
    std::vector<WriteOperation> batch;
    for (int i = 1; i <= 5; ++i) batch.push_back(upsert(sensor(i, 7.26 + 0.001 * i, 10.0 * i)));
    for (const auto& result : entities.write(std::move(batch))) CHECK(result.ok());

    EntityQuery query;
    query.types.push_back(coreContext()->expand("Sensor"));
    query.q = QueryExpression::parse("temperature>15", *coreContext());
    query.limit = 2;
    query.offset = 1;
    query.count = true;
    const QueryResult page = entities.query(query);
    CHECK(ids(page) == std::vector<std::string>{"urn:ngsi-ld:Sensor:3", "urn:ngsi-ld:Sensor:4"});
    REQUIRE(page.count.has_value());
    CHECK(*page.count == 4);

    EntityQuery near;
    near.geo = GeoQuery::parse("near;maxDistance==100", "Point", "[7.261,43.70]", coreContext()->expand("location"));
    CHECK(ids(entities.query(near)) == std::vector<std::string>{"urn:ngsi-ld:Sensor:1", "urn:ngsi-ld:Sensor:2"});
    CHECK_FALSE(entities.query(near).count.has_value());

    EntityQuery none;
    CHECK_THROWS_AS(none.requireFilter(), ContextError);
    try {
      IdPattern("(");
      FAIL("an invalid pattern was accepted");
    } catch (const ContextError& e) {
      CHECK(e.kind() == ErrorKind::BadRequestData);
    }

    WriteOperation create;
    create.kind = WriteKind::Create;
    create.entity = sensor(1, 7.0, 1.0);
    WriteOperation remove;
    remove.kind = WriteKind::Delete;
    remove.entity.id = "urn:ngsi-ld:Sensor:99";
    std::vector<WriteOperation> refused;
    refused.push_back(std::move(create));
    refused.push_back(std::move(remove));
    const auto results = entities.write(std::move(refused));
    REQUIRE(results[0].error.has_value());
    CHECK(results[0].error->kind() == ErrorKind::AlreadyExists);
    REQUIRE(results[1].error.has_value());
    CHECK(results[1].error->kind() == ErrorKind::NotFound);
    CHECK(std::string(results[1].error->what()) == "ResourceNotFound: entity urn:ngsi-ld:Sensor:99 does not exist");

    const auto history = entities.temporal("urn:ngsi-ld:Sensor:2", TemporalFilter{});
    REQUIRE(history.has_value());
    CHECK(history->instances.size() == 2);  // temperature and location
  }
  // The listener runs on the writer thread after the commit, so it is checked once that thread has ended.
  CHECK(notified.size() == 5);
  // Acknowledged writes are on disk: a new repository on the same file sees them.
  SqliteEntityRepository reopened({path, true});
  CHECK(reopened.entityCount() == 5);
  REQUIRE(reopened.get("urn:ngsi-ld:Sensor:5").has_value());
}
