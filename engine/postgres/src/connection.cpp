#include "citytwin/postgres/connection.hpp"

#include <libpq-fe.h>

#include <charconv>

namespace citytwin::postgres {

namespace {

std::string trimmed(const char* message) {
  std::string text = message ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The URL without its password, for messages.
std::string withoutPassword(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

}  // namespace

bool DatabaseError::retryable() const noexcept {
  // serialization_failure, deadlock_detected, unique_violation (two transactions created the same row).
  return sqlState_ == "40001" || sqlState_ == "40P01" || sqlState_ == "23505";
}

bool DatabaseError::connectionLost() const noexcept {
  return sqlState_.empty() || sqlState_.starts_with("08") || sqlState_.starts_with("57P");
}

Result::~Result() {
  if (result_) PQclear(result_);
}

int Result::rows() const {
  return PQntuples(result_);
}

bool Result::isNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view Result::text(int row, int column) const {
  return {PQgetvalue(result_, row, column), static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t Result::integer(int row, int column) const {
  const std::string_view value = text(row, column);
  std::int64_t number = 0;
  std::from_chars(value.data(), value.data() + value.size(), number);
  return number;
}

Connection::Connection(const std::string& url) : connection_(PQconnectdb(url.c_str())) {
  if (!connection_ || PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = trimmed(connection_ ? PQerrorMessage(connection_) : "out of memory");
    if (connection_) PQfinish(connection_);
    throw DatabaseError("PostgreSQL: cannot connect to " + withoutPassword(url) + ": " + message, "");
  }
  // Acknowledged means committed and flushed to the server's WAL, whatever the server's default says.
  execute("SET synchronous_commit = on; SET client_min_messages = warning");
}

Connection::~Connection() {
  PQfinish(connection_);
}

bool Connection::broken() const {
  return PQstatus(connection_) != CONNECTION_OK;
}

Result Connection::check(pg_result* result, std::string_view what) {
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(connection_));
  if (message.empty()) message = trimmed(PQerrorMessage(connection_));
  DatabaseError error("PostgreSQL: " + std::string(what) + ": " + message, state ? state : "");
  if (result) PQclear(result);
  throw error;
}

void Connection::execute(const std::string& sql) {
  // PQexec returns the last statement's result; an earlier failure stops the rest and is that result.
  check(PQexec(connection_, sql.c_str()), sql.substr(0, 60));
}

Result Connection::query(const std::string& sql, const std::vector<const char*>& parameters) {
  return check(PQexecParams(connection_, sql.c_str(), static_cast<int>(parameters.size()), nullptr,
                            parameters.data(), nullptr, nullptr, 0),
               sql.substr(0, 60));
}

Result Connection::run(const Statement& statement, const std::vector<const char*>& parameters) {
  if (!prepared_.contains(statement.name)) {
    check(PQprepare(connection_, statement.name, statement.sql, 0, nullptr), statement.name);
    prepared_.insert(statement.name);
  }
  return check(PQexecPrepared(connection_, statement.name, static_cast<int>(parameters.size()),
                              parameters.data(), nullptr, nullptr, 0),
               statement.name);
}

void Connection::copyIn(const std::string& copySql, const std::string& data) {
  pg_result* started = PQexec(connection_, copySql.c_str());
  if (PQresultStatus(started) != PGRES_COPY_IN) {
    check(started, copySql.substr(0, 60));
    PQclear(started);
    throw DatabaseError("PostgreSQL: " + copySql.substr(0, 60) + ": not a COPY FROM STDIN", "");
  }
  PQclear(started);
  if (PQputCopyData(connection_, data.data(), static_cast<int>(data.size())) != 1 ||
      PQputCopyEnd(connection_, nullptr) != 1) {
    throw DatabaseError("PostgreSQL: COPY: " + trimmed(PQerrorMessage(connection_)), "");
  }
  check(PQgetResult(connection_), "COPY");
  while (pg_result* rest = PQgetResult(connection_)) PQclear(rest);
}

void TextArray::add(std::string_view element) {
  text_ += size_++ ? ",\"" : "\"";
  for (const char c : element) {
    if (c == '"' || c == '\\') text_ += '\\';
    text_ += c;
  }
  text_ += '"';
}

void TextArray::addNull() {
  text_ += size_++ ? ",NULL" : "NULL";
}

const char* TextArray::literal() {
  finished_ = text_ + "}";
  return finished_.c_str();
}

void appendCopyField(std::string& row, std::string_view field) {
  for (const char c : field) {
    switch (c) {
      case '\\':
        row += "\\\\";
        break;
      case '\t':
        row += "\\t";
        break;
      case '\n':
        row += "\\n";
        break;
      case '\r':
        row += "\\r";
        break;
      default:
        row += c;
    }
  }
}

}  // namespace citytwin::postgres
