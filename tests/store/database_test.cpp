#include <doctest/doctest.h>

#include "citytwin/core/error.hpp"
#include "citytwin/store/database.hpp"
#include "citytwin/testing/shared_data.hpp"

using namespace citytwin;

TEST_CASE("a database opens in WAL mode and binds, steps and reads values") {
  const auto path = citytwin::testing::scratchDirectory() / "values.sqlite";
  store::Database db(path);
  store::Statement mode(db, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");

  db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT)");
  store::Statement insert(db, "INSERT INTO t VALUES (?, ?, ?)");
  insert.bind(1, std::int64_t{1} << 40).bind(2, 0.1).bind(3, "héllo");
  insert.run();
  insert.bind(1, 2).bindNull(2).bind(3, std::string_view("x"));
  insert.run();
  store::Statement select(db, "SELECT i, r, s FROM t ORDER BY i DESC");
  REQUIRE(select.step());
  CHECK(select.integer(0) == (std::int64_t{1} << 40));
  CHECK(select.real(1) == 0.1);
  CHECK(select.text(2) == "héllo");
  REQUIRE(select.step());
  CHECK(select.isNull(1));
  CHECK_FALSE(select.step());
}

TEST_CASE("a transaction that is not committed leaves nothing behind") {
  const auto path = citytwin::testing::scratchDirectory() / "rollback.sqlite";
  store::Database db(path);
  db.execute("CREATE TABLE t (i INTEGER)");
  try {
    store::Transaction transaction(db);
    db.execute("INSERT INTO t VALUES (1)");
    throw Error("interrupted half-way");
  } catch (const Error&) {
  }
  {
    store::Transaction transaction(db);
    db.execute("INSERT INTO t VALUES (2)");
    transaction.commit();
  }
  store::Statement count(db, "SELECT COUNT(*), MAX(i) FROM t");
  REQUIRE(count.step());
  CHECK(count.integer(0) == 1);
  CHECK(count.integer(1) == 2);
}

TEST_CASE("SQL and file errors name the database") {
  const auto path = citytwin::testing::scratchDirectory() / "errors.sqlite";
  store::Database db(path);
  CHECK_THROWS_WITH_AS(db.execute("SELEC 1"), doctest::Contains("errors.sqlite"), Error);
  CHECK_THROWS_WITH_AS(store::Statement(db, "SELECT * FROM missing"), doctest::Contains("no such table: missing"), Error);
  CHECK_THROWS_WITH_AS(store::Database(citytwin::testing::scratchDirectory() / "no" / "such" / "dir.sqlite"),
                       doctest::Contains("cannot open database"), Error);
}
