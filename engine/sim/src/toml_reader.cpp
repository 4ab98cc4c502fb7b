#include "citytwin/sim/toml_reader.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace citytwin::sim {

std::string describeTomlType(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

TomlReader::TomlReader(const toml::table& table, std::string file, std::string keyPrefix, std::size_t fallbackLine)
    : table_(table), file_(std::move(file)), prefix_(std::move(keyPrefix)), fallbackLine_(fallbackLine) {}

bool TomlReader::has(const std::string& key) const { return table_.contains(key); }

void TomlReader::allow(const std::string& key) const { known_.insert(key); }

const toml::node* TomlReader::node(const std::string& key) const {
  known_.insert(key);
  return table_.get(key);
}

InputLocation TomlReader::locationOf(const std::string& key) const {
  const toml::node* found = table_.get(key);
  auto line = static_cast<std::size_t>(found ? found->source().begin.line : table_.source().begin.line);
  return {file_, line == 0 ? fallbackLine_ : line, prefix_ + key};
}

InputLocation TomlReader::locationOf(const toml::node& node, const std::string& key) const {
  const auto line = static_cast<std::size_t>(node.source().begin.line);
  return {file_, line == 0 ? fallbackLine_ : line, prefix_ + key};
}

void TomlReader::fail(const std::string& key, const std::string& problem) const {
  throw InputError(locationOf(key), problem);
}

const toml::node& TomlReader::expect(const std::string& key) const {
  const toml::node* found = node(key);
  if (found == nullptr) fail(key, "missing; it is required here");
  return *found;
}

std::string TomlReader::requireString(const std::string& key) const {
  const toml::node& value = expect(key);
  if (!value.is_string()) fail(key, "expected a string, found " + describeTomlType(value));
  return std::string(*value.as_string());
}

std::optional<std::string> TomlReader::optionalString(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireString(key);
}

double TomlReader::requireNumber(const std::string& key) const {
  const toml::node& value = expect(key);
  if (value.is_integer()) return static_cast<double>(value.as_integer()->get());
  if (value.is_floating_point()) return value.as_floating_point()->get();
  fail(key, "expected a number, found " + describeTomlType(value));
}

std::optional<double> TomlReader::optionalNumber(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireNumber(key);
}

std::int64_t TomlReader::requireInteger(const std::string& key) const {
  const toml::node& value = expect(key);
  if (!value.is_integer()) fail(key, "expected an integer, found " + describeTomlType(value));
  return value.as_integer()->get();
}

std::optional<std::int64_t> TomlReader::optionalInteger(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireInteger(key);
}

std::optional<bool> TomlReader::optionalBool(const std::string& key) const {
  const toml::node* value = node(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) fail(key, "expected true or false, found " + describeTomlType(*value));
  return value->as_boolean()->get();
}

const toml::array* TomlReader::optionalArray(const std::string& key) const {
  const toml::node* value = node(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) fail(key, "expected an array, found " + describeTomlType(*value));
  return value->as_array();
}

const toml::table* TomlReader::optionalTable(const std::string& key) const {
  const toml::node* value = node(key);
  if (value == nullptr) return nullptr;
  if (!value->is_table()) fail(key, "expected a table, found " + describeTomlType(*value));
  return value->as_table();
}

std::vector<std::string> TomlReader::optionalStringArray(const std::string& key) const {
  std::vector<std::string> result;
  const toml::array* values = optionalArray(key);
  if (values == nullptr) return result;
  for (const toml::node& element : *values) {
    if (!element.is_string()) {
      throw InputError(locationOf(element, key), "expected an array of strings, found " +
                                                      describeTomlType(element) + " in it");
    }
    result.emplace_back(*element.as_string());
  }
  return result;
}

void TomlReader::rejectUnknownKeys(const std::string& expected) const {
  // Report the first unknown key in file order, so the message points at the earliest mistake.
  const toml::node* first = nullptr;
  std::string firstKey;
  for (const auto& [key, value] : table_) {
    const std::string name(key.str());
    if (known_.count(name) > 0) continue;
    if (first == nullptr || value.source().begin.line < first->source().begin.line) {
      first = &value;
      firstKey = name;
    }
  }
  if (first == nullptr) return;
  std::string problem = "unknown key";
  if (!expected.empty()) problem += "; expected one of " + expected;
  throw InputError(locationOf(*first, firstKey), problem);
}

}  // namespace citytwin::sim
