#pragma once

// The private PostgreSQL server of a test program (suites that link citytwin::postgres): started on first
// use in a temporary folder, stopped when the program exits (also after failed checks). Without the
// PostgreSQL binaries, or in a build without libpq, it is null and the reason is recorded as a skip.

#include <memory>
#include <string>

#include "citytwin/testing/skip_registry.hpp"
#ifdef CITYTWIN_TEST_POSTGRESQL
#include "citytwin/postgres/local_server.hpp"
#endif

namespace citytwin::testing {

#ifdef CITYTWIN_TEST_POSTGRESQL
inline postgres::LocalServer* privatePostgres() {
  static const std::unique_ptr<postgres::LocalServer> server =
      []() -> std::unique_ptr<postgres::LocalServer> {
    const auto binaries = postgres::LocalServer::binaries();
    if (!binaries) return nullptr;
    return std::make_unique<postgres::LocalServer>(*binaries);
  }();
  return server.get();
}
#endif

// A URL of a new empty database on the private server; empty (and a skip recorded) when there is none.
inline std::string privatePostgresDatabase(const std::string& name) {
#ifdef CITYTWIN_TEST_POSTGRESQL
  if (auto* server = privatePostgres()) return server->createDatabase(name);
  recordSkip(
      "PostgreSQL checks: initdb/pg_ctl not found in /usr/lib/postgresql/15/bin or $CITYTWIN_POSTGRES_BIN "
      "(install postgresql-15 postgresql-15-postgis-3, see tools/setup.sh)");
#else
  (void)name;
  recordSkip("PostgreSQL checks: this build has no libpq (libpq-dev), so no PostgreSQL store");
#endif
  return {};
}

}  // namespace citytwin::testing
