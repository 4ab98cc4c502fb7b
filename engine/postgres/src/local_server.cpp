#include "citytwin/postgres/local_server.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "citytwin/core/error.hpp"
#include "citytwin/postgres/connection.hpp"

namespace citytwin::postgres {

namespace {

std::string lastLines(const std::filesystem::path& log, std::size_t count) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::string text;
  for (std::size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i)
    text += "\n  " + lines[i];
  return text;
}

// A path in single quotes for the shell (temporary folders carry no quotes).
std::string shellQuoted(const std::filesystem::path& path) {
  std::string text(1, '\'');
  text += path.string();
  text += '\'';
  return text;
}

}  // namespace

std::optional<std::filesystem::path> LocalServer::binaries() {
  const char* configured = std::getenv("CITYTWIN_POSTGRES_BIN");
  const std::filesystem::path folder = configured && *configured ? configured : "/usr/lib/postgresql/15/bin";
  if (std::filesystem::exists(folder / "initdb") && std::filesystem::exists(folder / "pg_ctl")) return folder;
  return std::nullopt;
}

void LocalServer::runTool(const std::string& command, const std::filesystem::path& log) const {
  // PostgreSQL will not run as root: the tools run as the postgres user, which owns the folder.
  const std::string prefix = geteuid() == 0 ? "runuser -u postgres -- " : "";
  const std::string line = prefix + command + " >>'" + log.string() + "' 2>&1";
  if (std::system(line.c_str()) != 0) {
    throw Error("private PostgreSQL: '" + command.substr(0, command.find(' ')) + "' failed; the end of " +
                log.string() + ":" + lastLines(log, 8));
  }
}

LocalServer::LocalServer(const std::filesystem::path& binaries) : binaries_(binaries) {
  std::string pattern = (std::filesystem::temp_directory_path() / "citytwin-pg-XXXXXX").string();
  if (!mkdtemp(pattern.data()))
    throw Error("private PostgreSQL: cannot create a folder in " +
                std::filesystem::temp_directory_path().string());
  directory_ = pattern;
  if (geteuid() == 0) {
    const passwd* user = getpwnam("postgres");
    if (!user || chown(directory_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      std::filesystem::remove_all(directory_);
      throw Error(
          "private PostgreSQL: running as root needs the 'postgres' user (installed with postgresql-15)");
    }
  }
  const std::string data = (directory_ / "data").string();
  const auto log = directory_ / "server.log";
  try {
    runTool(shellQuoted(binaries_ / "initdb") + " -D " + shellQuoted(data) +
                " -A trust -U postgres -E UTF8 --locale=C --no-sync",
            directory_ / "initdb.log");
    // No TCP listener; the socket lives in the private folder. fsync and synchronous_commit stay at their
    // defaults (on): the durability tests and the ingest benchmark measure durable commits.
    runTool(shellQuoted(binaries_ / "pg_ctl") + " -D " + shellQuoted(data) + " -l " + shellQuoted(log) +
                " -w -t 60 -o \"-c listen_addresses='' -c unix_socket_directories='" + directory_.string() +
                "' -c max_wal_size=4GB -c max_connections=200\" start",
            directory_ / "pg_ctl.log");
    running_ = true;
    // A watcher stops the server and removes the folder once this process is gone, however it ended (a
    // crash or a kill skips the destructor); after a normal stop it finds nothing left to do.
    const std::string prefix = geteuid() == 0 ? "runuser -u postgres -- " : "";
    const std::string watcher =
        "(while kill -0 " + std::to_string(getpid()) + " 2>/dev/null; do sleep 1; done; " + prefix +
        shellQuoted(binaries_ / "pg_ctl") + " -D " + shellQuoted(data) + " -m immediate stop; rm -rf " +
        shellQuoted(directory_) + ") >/dev/null 2>&1 &";
    if (std::system(watcher.c_str()) != 0)
      throw Error("private PostgreSQL: cannot start the watcher of " + data);
  } catch (const Error& e) {
    const std::string message = std::string(e.what()) + lastLines(log, 8);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw Error(message);
  }
}

LocalServer::~LocalServer() {
  if (running_) {
    try {
      runTool(shellQuoted(binaries_ / "pg_ctl") + " -D " + shellQuoted(directory_ / "data") +
                  " -m fast -w -t 60 stop",
              directory_ / "pg_ctl.log");
    } catch (const std::exception&) {
      // An immediate stop as the last resort, so that no server outlives its folder.
      const std::string prefix = geteuid() == 0 ? "runuser -u postgres -- " : "";
      const std::string line = prefix + shellQuoted(binaries_ / "pg_ctl") + " -D " +
                               shellQuoted(directory_ / "data") + " -m immediate -w stop >/dev/null 2>&1";
      if (std::system(line.c_str()) != 0) {
        // Nothing more to do: the folder is removed below either way.
      }
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string LocalServer::url(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + directory_.string() + "&user=postgres";
}

std::string LocalServer::createDatabase(const std::string& name) {
  Connection admin(url("postgres"));
  // PostGIS goes into a template once; each database copies it (faster than CREATE EXTENSION each time).
  if (!templateReady_) {
    admin.execute("CREATE DATABASE citytwin_template");
    Connection templateDb(url("citytwin_template"));
    templateDb.execute("CREATE EXTENSION postgis");
    templateReady_ = true;
  }
  admin.execute("CREATE DATABASE \"" + name + "\" TEMPLATE citytwin_template");
  return url(name);
}

}  // namespace citytwin::postgres
