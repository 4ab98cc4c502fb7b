#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <toml++/toml.h>

#include "citytwin/core/error.hpp"

namespace citytwin::sim {

// Typed, located access to one TOML table of an input file. Every problem becomes an InputError naming
// the file, the line and the key (prefixed with `keyPrefix`, e.g. "variant[2].intervention[1]."), and
// rejectUnknownKeys() turns a misspelt key into an error instead of a silently ignored setting.
// Models can use it to validate their own [<model>] table and interventions.
class TomlReader {
 public:
  // `fallbackLine` is reported where the table has no source positions (a copied table).
  TomlReader(const toml::table& table, std::string file, std::string keyPrefix = "", std::size_t fallbackLine = 0);

  const toml::table& table() const { return table_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;
  // Marks `key` as known without reading it (for keys handled elsewhere).
  void allow(const std::string& key) const;
  const toml::node* node(const std::string& key) const;

  std::string requireString(const std::string& key) const;
  std::optional<std::string> optionalString(const std::string& key) const;
  double requireNumber(const std::string& key) const;  // integer or float
  std::optional<double> optionalNumber(const std::string& key) const;
  std::int64_t requireInteger(const std::string& key) const;
  std::optional<std::int64_t> optionalInteger(const std::string& key) const;
  std::optional<bool> optionalBool(const std::string& key) const;
  const toml::array* optionalArray(const std::string& key) const;
  const toml::table* optionalTable(const std::string& key) const;
  std::vector<std::string> optionalStringArray(const std::string& key) const;

  InputLocation locationOf(const std::string& key) const;
  InputLocation locationOf(const toml::node& node, const std::string& key) const;
  std::string qualified(const std::string& key) const { return prefix_ + key; }
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const;
  // Throws for the first key (in file order) that no accessor read and allow() did not name.
  void rejectUnknownKeys(const std::string& expected = "") const;

 private:
  const toml::node& expect(const std::string& key) const;

  const toml::table& table_;
  std::string file_;
  std::string prefix_;
  std::size_t fallbackLine_;
  mutable std::set<std::string> known_;
};

// "an integer", "a string", ... for messages.
std::string describeTomlType(const toml::node& node);

}  // namespace citytwin::sim
