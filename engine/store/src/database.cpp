#include "citytwin/store/database.hpp"

#include <sqlite3.h>

#include <utility>

#include "citytwin/core/error.hpp"

namespace citytwin::store {

struct Database::Connection {
  sqlite3* db = nullptr;
  std::function<void(int)> walHook;
  ~Connection() {
    if (walHook) sqlite3_wal_hook(db, nullptr, nullptr);
    sqlite3_close(db);
  }
};

struct Statement::Prepared {
  sqlite3_stmt* statement = nullptr;
  ~Prepared() { sqlite3_finalize(statement); }
};

Database::Database(const std::filesystem::path& path, Mode mode, Sync sync)
    : path_(path), connection_(std::make_unique<Connection>()) {
  const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3*& db = connection_->db;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    throw Error(path.string() + ": cannot open database: " + message);
  }
  sqlite3_busy_timeout(db, 5000);
  if (mode == Mode::ReadWrite) {
    // WAL: readers never block the writer, and a commit is atomic even if the process dies mid-run.
    execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;");
    execute(sync == Sync::Full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  }
}

Database::~Database() = default;

void Database::fail(const std::string& what) const {
  throw Error(path_.string() + ": " + what + ": " + sqlite3_errmsg(connection_->db));
}

void Database::execute(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(connection_->db, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw Error(path_.string() + ": " + reason);
  }
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(connection_->db); }

void Database::checkpoint() {
  sqlite3_wal_checkpoint_v2(connection_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
}

void Database::onWalCommit(std::function<void(int walPages)> hook) {
  Connection& connection = *connection_;
  connection.walHook = std::move(hook);
  if (!connection.walHook) {
    sqlite3_wal_hook(connection.db, nullptr, nullptr);
    return;
  }
  // sqlite3_wal_hook and the automatic checkpoint share one slot: installing the hook replaces it.
  sqlite3_wal_hook(
      connection.db,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<Connection*>(self)->walHook(pages);
        return SQLITE_OK;
      },
      &connection);
}

Statement::Statement(Database& database, std::string_view sql)
    : database_(database), prepared_(std::make_unique<Prepared>()) {
  if (sqlite3_prepare_v2(database.connection_->db, sql.data(), static_cast<int>(sql.size()), &prepared_->statement,
                         nullptr) != SQLITE_OK) {
    database.fail("cannot prepare '" + std::string(sql) + "'");
  }
}

Statement::~Statement() = default;

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(prepared_->statement, index, value) != SQLITE_OK) database_.fail("cannot bind an integer");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(prepared_->statement, index, value) != SQLITE_OK) database_.fail("cannot bind a number");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(prepared_->statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    database_.fail("cannot bind text");
  }
  return *this;
}

Statement& Statement::bindUncopied(int index, std::string_view value) {
  if (sqlite3_bind_text(prepared_->statement, index, value.data(), static_cast<int>(value.size()), SQLITE_STATIC) !=
      SQLITE_OK) {
    database_.fail("cannot bind text");
  }
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (sqlite3_bind_null(prepared_->statement, index) != SQLITE_OK) database_.fail("cannot bind null");
  return *this;
}

bool Statement::step() {
  const int result = sqlite3_step(prepared_->statement);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  database_.fail("statement failed");
}

void Statement::run() {
  try {
    step();
  } catch (...) {
    reset();  // drop bindings that may point at text about to be destroyed
    throw;
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(prepared_->statement);
  sqlite3_clear_bindings(prepared_->statement);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(prepared_->statement, column); }
double Statement::real(int column) const { return sqlite3_column_double(prepared_->statement, column); }
std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(prepared_->statement, column);
  return bytes == nullptr
             ? std::string()
             : std::string(reinterpret_cast<const char*>(bytes),
                           static_cast<std::size_t>(sqlite3_column_bytes(prepared_->statement, column)));
}
bool Statement::isNull(int column) const { return sqlite3_column_type(prepared_->statement, column) == SQLITE_NULL; }
int Statement::columnCount() const { return sqlite3_column_count(prepared_->statement); }
std::string Statement::columnName(int column) const {
  const char* name = sqlite3_column_name(prepared_->statement, column);
  return name == nullptr ? std::string() : std::string(name);
}

Transaction::Transaction(Database& database) : database_(database) { database_.execute("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      database_.execute("ROLLBACK");
    } catch (...) {
      // Nothing more can be done in a destructor; SQLite rolls back on close anyway.
    }
  }
}

void Transaction::commit() {
  database_.execute("COMMIT");
  done_ = true;
}

}  // namespace citytwin::store
