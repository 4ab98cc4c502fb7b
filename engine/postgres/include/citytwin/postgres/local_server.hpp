#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace citytwin::postgres {

// A private PostgreSQL server for tests and benchmarks: initdb and pg_ctl in a temporary folder of its own,
// listening only on a Unix socket in that folder (no TCP port), run as the `postgres` user when the caller is
// root (PostgreSQL refuses to run as root). Destroying it stops the server and removes the folder.
class LocalServer {
 public:
  // The folder holding initdb and pg_ctl: $CITYTWIN_POSTGRES_BIN, else /usr/lib/postgresql/15/bin;
  // nullopt when they are not there.
  static std::optional<std::filesystem::path> binaries();
  // Throws Error, with the end of the server's log, when it cannot start.
  explicit LocalServer(const std::filesystem::path& binaries);
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  // Creates an empty database with PostGIS installed and returns its URL.
  std::string createDatabase(const std::string& name);
  // postgresql:///<database>?host=<socket folder>&user=postgres
  std::string url(const std::string& database) const;

 private:
  void runTool(const std::string& command, const std::filesystem::path& log) const;
  std::filesystem::path binaries_;
  std::filesystem::path directory_;
  bool running_ = false;
  bool templateReady_ = false;
};

}  // namespace citytwin::postgres
