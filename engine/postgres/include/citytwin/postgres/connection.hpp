#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "citytwin/core/error.hpp"

struct pg_conn;
struct pg_result;

namespace citytwin::postgres {

// A statement PostgreSQL refused, with its SQLSTATE (e.g. 40P01 deadlock, 23505 unique violation), or a
// connection that failed (sqlState empty).
class DatabaseError : public Error {
 public:
  DatabaseError(const std::string& message, std::string sqlState)
      : Error(message), sqlState_(std::move(sqlState)) {}
  const std::string& sqlState() const noexcept { return sqlState_; }
  // A conflict between concurrent transactions: the transaction may simply run again.
  bool retryable() const noexcept;
  // The connection broke (server gone, backend terminated): SQLSTATE class 08 or 57P, or none at all.
  bool connectionLost() const noexcept;

 private:
  std::string sqlState_;
};

// The rows of one statement, as text.
class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  ~Result();
  Result(Result&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;

  int rows() const;
  bool isNull(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t affected() const;

 private:
  pg_result* result_;
};

// A one-dimensional text[] or bigint[] parameter in PostgreSQL's binary format: large batches travel without
// escaping on this side or parsing on the server's (array_in), as one length-prefixed element after another.
class BinaryArray {
 public:
  static BinaryArray text() { return BinaryArray(25); }    // element type OID of text
  static BinaryArray bigint() { return BinaryArray(20); }  // element type OID of int8
  void add(std::string_view element);
  void add(std::int64_t element);
  void addNull();
  std::size_t size() const { return size_; }
  // The encoded array (header completed with the element count).
  const std::string& bytes();

 private:
  explicit BinaryArray(std::uint32_t elementType);
  std::string bytes_;
  std::size_t size_ = 0;
  bool hasNull_ = false;
};

// A prepared statement: prepared on a connection the first time it runs there.
struct Statement {
  const char* name;
  const char* sql;
};

// One statement of a pipeline: a prepared statement with binary array parameters, or SQL without parameters.
struct PipelineStep {
  const Statement* statement = nullptr;
  std::vector<BinaryArray*> parameters;
  const char* sql = nullptr;
};

// One libpq connection (any URL libpq accepts: postgresql://user@host/db, postgresql:///db?host=/socket/dir).
// Not thread-safe: one user at a time (see the repository's pool).
class Connection {
 public:
  // Throws DatabaseError naming the URL when the server cannot be reached.
  explicit Connection(const std::string& url);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Statements without parameters, several allowed (simple query protocol).
  void execute(const std::string& sql);
  // One statement with text parameters (nullptr: SQL NULL).
  Result query(const std::string& sql, const std::vector<const char*>& parameters = {});
  Result run(const Statement& statement, const std::vector<const char*>& parameters = {});
  // The same with every parameter a binary array.
  Result runBinary(const Statement& statement, const std::vector<BinaryArray*>& parameters);
  // COPY ... FROM STDIN with the data in COPY's text format.
  void copyIn(const std::string& copySql, const std::string& data);
  // Sends the steps at once and reads their results (libpq's pipeline mode: one round trip for all). After a
  // step fails, the later ones are skipped by the server; the first failure is thrown once every result was
  // read (a connection lost on the way leaves this connection broken).
  std::vector<Result> pipeline(const std::vector<PipelineStep>& steps);
  bool broken() const;

 private:
  Result check(pg_result* result, std::string_view what);
  DatabaseError failure(pg_result* result, std::string_view what) const;
  void prepare(const Statement& statement);
  bool abandoned_ = false;  // left in an unknown protocol state by a failed pipeline
  pg_conn* connection_;
  std::set<std::string> prepared_;
};

// A text[] parameter in PostgreSQL's array literal form: {"a","b",NULL}.
class TextArray {
 public:
  void add(std::string_view element);
  void addNull();
  std::size_t size() const { return size_; }
  // The literal; the array stays usable.
  const char* literal();

 private:
  std::string text_ = "{";
  std::string finished_;
  std::size_t size_ = 0;
};

// Appends one field in COPY's text format (backslash escapes for \\, tab, newline, carriage return).
void appendCopyField(std::string& row, std::string_view field);

}  // namespace citytwin::postgres
