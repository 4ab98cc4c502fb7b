#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace citytwin::store {

// One SQLite connection in WAL mode with a busy timeout, so a reader (the viewer, a script) and the
// writer can share a file, and a crash or Ctrl-C never leaves it corrupt: every change goes through a
// Transaction. Errors become citytwin::Error naming the file and SQLite's message. SQLite's own types stay
// in the implementation, so code that includes this header needs none of SQLite's headers.
class Database {
 public:
  enum class Mode { ReadWrite, ReadOnly };
  // How a commit reaches the disk (a read-write connection's PRAGMA synchronous). Normal: written to the
  // WAL but not synced, which survives the process being killed at any moment but not a power cut. Full:
  // the WAL is synced at every commit, which survives both.
  enum class Sync { Normal, Full };
  explicit Database(const std::filesystem::path& path, Mode mode = Mode::ReadWrite, Sync sync = Sync::Normal);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without results.
  void execute(std::string_view sql);
  std::int64_t lastInsertId() const;
  // Copies what it can of the WAL into the database file without waiting for readers (a passive checkpoint).
  void checkpoint();
  // Called after each commit of this connection with the WAL's size in pages, in place of SQLite's
  // automatic checkpoint (which then stays off); an empty function removes the hook.
  void onWalCommit(std::function<void(int walPages)> hook);
  const std::filesystem::path& path() const { return path_; }
  [[noreturn]] void fail(const std::string& what) const;

 private:
  friend class Statement;
  struct Connection;
  std::filesystem::path path_;
  std::unique_ptr<Connection> connection_;
};

// A prepared statement: bind by 1-based index, step through rows, read columns by 0-based index.
class Statement {
 public:
  Statement(Database& database, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  // Binds text without SQLite's copy: the caller keeps it alive until the statement has run or been reset.
  // For hot insert paths that bind long values.
  Statement& bindUncopied(int index, std::string_view value);
  Statement& bindNull(int index);
  // true while a row is available.
  bool step();
  // Steps once and resets (also when the step fails), for INSERT/UPDATE statements executed many times.
  void run();
  void reset();

  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool isNull(int column) const;
  int columnCount() const;
  std::string columnName(int column) const;

 private:
  struct Prepared;
  Database& database_;
  std::unique_ptr<Prepared> prepared_;
};

// BEGIN IMMEDIATE ... COMMIT; rolled back by the destructor unless committed (exceptions, early returns).
class Transaction {
 public:
  explicit Transaction(Database& database);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& database_;
  bool done_ = false;
};

}  // namespace citytwin::store
