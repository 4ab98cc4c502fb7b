#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "citytwin/core/error.hpp"
#include "citytwin/core/value.hpp"

namespace citytwin {

// Typed, located access to one table of input values (a scenario's top level, a model's parameters, an
// intervention). Every problem becomes an InputError naming the file, the line and the key (prefixed with
// `keyPrefix`, e.g. "variant[2].intervention[1]."), and rejectUnknownKeys() turns a misspelt key into an
// error instead of a silently ignored setting. Values built in code have line 0: their errors name the
// key alone. A value that is not a table reads as an empty table.
class ValueReader {
 public:
  // `fallbackLine` is reported where a node has no line of its own (a value built in code).
  ValueReader(const Value& table, std::string file, std::string keyPrefix = "", std::size_t fallbackLine = 0);

  const Value& table() const { return table_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;
  // Marks `key` as known without reading it (for keys handled elsewhere).
  void allow(const std::string& key) const;
  const Value* node(const std::string& key) const;

  std::string requireString(const std::string& key) const;
  std::optional<std::string> optionalString(const std::string& key) const;
  double requireNumber(const std::string& key) const;  // integer or float
  std::optional<double> optionalNumber(const std::string& key) const;
  std::int64_t requireInteger(const std::string& key) const;
  std::optional<std::int64_t> optionalInteger(const std::string& key) const;
  std::optional<bool> optionalBool(const std::string& key) const;
  const Value* optionalArray(const std::string& key) const;
  const Value* optionalTable(const std::string& key) const;
  std::vector<std::string> optionalStringArray(const std::string& key) const;

  InputLocation locationOf(const std::string& key) const;
  InputLocation locationOf(const Value& node, const std::string& key) const;
  std::string qualified(const std::string& key) const { return prefix_ + key; }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  // Throws for the first key (in file order) that no accessor read and allow() did not name.
  void rejectUnknownKeys(const std::string& expected = "") const;
  // Throws for the first key (in file order) not in `allowed`, before anything is read: a misspelt key is
  // reported as itself rather than as the missing key it was meant to be.
  void rejectKeysOutside(const std::vector<std::string>& allowed, const std::string& expected) const;

 private:
  const Value& expect(const std::string& key) const;
  void rejectKeys(const std::function<bool(const std::string&)>& isKnown,
                  const std::vector<std::string>& knownKeys, const std::string& expected) const;

  const Value& table_;
  std::string file_;
  std::string prefix_;
  std::size_t fallbackLine_;
  mutable std::set<std::string> known_;
};

}  // namespace citytwin
