#include "citytwin/postgres/connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <optional>

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

std::int64_t Result::affected() const {
  const std::string_view value = PQcmdTuples(result_);
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
  return abandoned_ || PQstatus(connection_) != CONNECTION_OK;
}

DatabaseError Connection::failure(pg_result* result, std::string_view what) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = trimmed(result ? PQresultErrorMessage(result) : PQerrorMessage(connection_));
  if (message.empty()) message = trimmed(PQerrorMessage(connection_));
  return DatabaseError("PostgreSQL: " + std::string(what) + ": " + message, state ? state : "");
}

Result Connection::check(pg_result* result, std::string_view what) {
  const auto status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  DatabaseError error = failure(result, what);
  if (result) PQclear(result);
  throw error;
}

void Connection::prepare(const Statement& statement) {
  if (prepared_.contains(statement.name)) return;
  check(PQprepare(connection_, statement.name, statement.sql, 0, nullptr), statement.name);
  prepared_.insert(statement.name);
}

std::vector<Result> Connection::pipeline(const std::vector<PipelineStep>& steps) {
  for (const auto& step : steps) {
    if (step.statement) prepare(*step.statement);
  }
  const auto lost = [&](const std::string& what) {
    abandoned_ = true;
    return DatabaseError("PostgreSQL: " + what + ": " + trimmed(PQerrorMessage(connection_)), "");
  };
  if (PQenterPipelineMode(connection_) != 1) throw lost("entering pipeline mode");
  for (const auto& step : steps) {
    int sent = 0;
    if (step.statement) {
      std::vector<const char*> values;
      std::vector<int> lengths, formats(step.parameters.size(), 1);
      for (BinaryArray* parameter : step.parameters) {
        const std::string& bytes = parameter->bytes();
        values.push_back(bytes.data());
        lengths.push_back(static_cast<int>(bytes.size()));
      }
      sent = PQsendQueryPrepared(connection_, step.statement->name, static_cast<int>(values.size()),
                                 values.data(), lengths.data(), formats.data(), 0);
    } else {
      sent = PQsendQueryParams(connection_, step.sql, 0, nullptr, nullptr, nullptr, nullptr, 0);
    }
    if (sent != 1) throw lost("sending a pipeline");
  }
  if (PQpipelineSync(connection_) != 1) throw lost("sending a pipeline");

  std::vector<Result> results;
  std::optional<DatabaseError> first;
  for (const auto& step : steps) {
    pg_result* result = PQgetResult(connection_);
    if (!result) throw first ? *first : lost("reading a pipeline");
    const auto status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      results.emplace_back(result);
    } else {
      // Skipped steps (PGRES_PIPELINE_ABORTED) follow the one that failed.
      if (!first && status != PGRES_PIPELINE_ABORTED)
        first = failure(result, step.statement ? step.statement->name : step.sql);
      PQclear(result);
      results.emplace_back(nullptr);
      if (PQstatus(connection_) != CONNECTION_OK) throw first ? *first : lost("reading a pipeline");
    }
    while (pg_result* rest = PQgetResult(connection_)) PQclear(rest);  // each step's results end with null
  }
  pg_result* sync = PQgetResult(connection_);
  const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  if (sync) PQclear(sync);
  if (!synced || PQexitPipelineMode(connection_) != 1) throw first ? *first : lost("ending a pipeline");
  if (first) throw *first;
  return results;
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
  prepare(statement);
  return check(PQexecPrepared(connection_, statement.name, static_cast<int>(parameters.size()),
                              parameters.data(), nullptr, nullptr, 0),
               statement.name);
}

Result Connection::runBinary(const Statement& statement, const std::vector<BinaryArray*>& parameters) {
  prepare(statement);
  std::vector<const char*> values;
  std::vector<int> lengths, formats(parameters.size(), 1);
  for (BinaryArray* parameter : parameters) {
    const std::string& bytes = parameter->bytes();
    values.push_back(bytes.data());
    lengths.push_back(static_cast<int>(bytes.size()));
  }
  return check(PQexecPrepared(connection_, statement.name, static_cast<int>(parameters.size()), values.data(),
                              lengths.data(), formats.data(), 0),
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
  std::size_t run = 0;  // the characters since the last one that needed a backslash go in at once
  for (std::size_t i = 0; i < element.size(); ++i) {
    if (element[i] == '"' || element[i] == '\\') {
      text_.append(element, run, i - run);
      text_ += '\\';
      run = i;
    }
  }
  text_.append(element, run);
  text_ += '"';
}

namespace {

void appendBigEndian(std::string& bytes, std::uint64_t value, int width) {
  for (int shift = (width - 1) * 8; shift >= 0; shift -= 8)
    bytes += static_cast<char>((value >> shift) & 0xff);
}

void storeBigEndian32(std::string& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
}

// Header of a one-dimensional array: dimensions, has-null flag, element type, length, lower bound.
constexpr std::size_t kHasNullAt = 4, kLengthAt = 12;

}  // namespace

BinaryArray::BinaryArray(std::uint32_t elementType) {
  appendBigEndian(bytes_, 1, 4);
  appendBigEndian(bytes_, 0, 4);
  appendBigEndian(bytes_, elementType, 4);
  appendBigEndian(bytes_, 0, 4);
  appendBigEndian(bytes_, 1, 4);
}

void BinaryArray::add(std::string_view element) {
  if (element.size() > 0x3fffffff) throw Error("PostgreSQL: an array element over 1 GB");
  appendBigEndian(bytes_, element.size(), 4);
  bytes_.append(element);
  ++size_;
}

void BinaryArray::add(std::int64_t element) {
  appendBigEndian(bytes_, 8, 4);
  appendBigEndian(bytes_, static_cast<std::uint64_t>(element), 8);
  ++size_;
}

void BinaryArray::addNull() {
  appendBigEndian(bytes_, 0xffffffffu, 4);  // length -1
  hasNull_ = true;
  ++size_;
}

const std::string& BinaryArray::bytes() {
  if (size_ == 0) {
    // An empty array has no dimensions.
    bytes_.resize(12);
    storeBigEndian32(bytes_, 0, 0);
    return bytes_;
  }
  storeBigEndian32(bytes_, kHasNullAt, hasNull_ ? 1 : 0);
  storeBigEndian32(bytes_, kLengthAt, static_cast<std::uint32_t>(size_));
  return bytes_;
}

void TextArray::addNull() {
  text_ += size_++ ? ",NULL" : "NULL";
}

const char* TextArray::literal() {
  finished_ = text_ + "}";
  return finished_.c_str();
}

void appendCopyField(std::string& row, std::string_view field) {
  std::size_t run = 0;  // the characters since the last escaped one go in at once
  for (std::size_t i = 0; i < field.size(); ++i) {
    const char* escape = nullptr;
    switch (field[i]) {
      case '\\':
        escape = "\\\\";
        break;
      case '\t':
        escape = "\\t";
        break;
      case '\n':
        escape = "\\n";
        break;
      case '\r':
        escape = "\\r";
        break;
      default:
        continue;
    }
    row.append(field, run, i - run);
    row += escape;
    run = i + 1;
  }
  row.append(field, run);
}

}  // namespace citytwin::postgres
