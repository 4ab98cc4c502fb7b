#include "citytwin/core/value_reader.hpp"

#include <algorithm>
#include <utility>

#include "citytwin/core/spelling.hpp"

namespace citytwin {

ValueReader::ValueReader(const Value& table, std::string file, std::string keyPrefix,
                         std::size_t fallbackLine)
    : table_(table), file_(std::move(file)), prefix_(std::move(keyPrefix)), fallbackLine_(fallbackLine) {}

bool ValueReader::has(const std::string& key) const {
  return table_.contains(key);
}

void ValueReader::allow(const std::string& key) const {
  known_.insert(key);
}

const Value* ValueReader::node(const std::string& key) const {
  known_.insert(key);
  return table_.find(key);
}

InputLocation ValueReader::locationOf(const std::string& key) const {
  const Value* found = table_.find(key);
  const std::size_t line = found ? found->line() : table_.line();
  return {file_, line == 0 ? fallbackLine_ : line, prefix_ + key};
}

InputLocation ValueReader::locationOf(const Value& node, const std::string& key) const {
  return {file_, node.line() == 0 ? fallbackLine_ : node.line(), prefix_ + key};
}

void ValueReader::fail(const std::string& key, const std::string& problem) const {
  throw InputError(locationOf(key), problem);
}

const Value& ValueReader::expect(const std::string& key) const {
  const Value* found = node(key);
  if (found == nullptr) fail(key, "missing; it is required here");
  return *found;
}

std::string ValueReader::requireString(const std::string& key) const {
  const Value& value = expect(key);
  if (!value.isString()) fail(key, "expected a string, found " + describeType(value));
  return value.asString();
}

std::optional<std::string> ValueReader::optionalString(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireString(key);
}

double ValueReader::requireNumber(const std::string& key) const {
  const Value& value = expect(key);
  if (!value.isNumber()) fail(key, "expected a number, found " + describeType(value));
  return value.asNumber();
}

std::optional<double> ValueReader::optionalNumber(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireNumber(key);
}

std::int64_t ValueReader::requireInteger(const std::string& key) const {
  const Value& value = expect(key);
  if (!value.isInteger()) fail(key, "expected an integer, found " + describeType(value));
  return value.asInteger();
}

std::optional<std::int64_t> ValueReader::optionalInteger(const std::string& key) const {
  if (node(key) == nullptr) return std::nullopt;
  return requireInteger(key);
}

std::optional<bool> ValueReader::optionalBool(const std::string& key) const {
  const Value* value = node(key);
  if (value == nullptr) return std::nullopt;
  if (!value->isBoolean()) fail(key, "expected true or false, found " + describeType(*value));
  return value->asBoolean();
}

const Value* ValueReader::optionalArray(const std::string& key) const {
  const Value* value = node(key);
  if (value == nullptr) return nullptr;
  if (!value->isArray()) fail(key, "expected an array, found " + describeType(*value));
  return value;
}

const Value* ValueReader::optionalTable(const std::string& key) const {
  const Value* value = node(key);
  if (value == nullptr) return nullptr;
  if (!value->isTable()) fail(key, "expected a table, found " + describeType(*value));
  return value;
}

std::vector<std::string> ValueReader::optionalStringArray(const std::string& key) const {
  std::vector<std::string> result;
  const Value* values = optionalArray(key);
  if (values == nullptr) return result;
  for (const Value& element : values->items()) {
    if (!element.isString()) {
      throw InputError(locationOf(element, key),
                       "expected an array of strings, found " + describeType(element) + " in it");
    }
    result.push_back(element.asString());
  }
  return result;
}

void ValueReader::rejectUnknownKeys(const std::string& expected) const {
  rejectKeys([&](const std::string& name) { return known_.count(name) > 0; },
             std::vector<std::string>(known_.begin(), known_.end()), expected);
}

void ValueReader::rejectKeysOutside(const std::vector<std::string>& allowed,
                                    const std::string& expected) const {
  rejectKeys(
      [&](const std::string& name) {
        return std::find(allowed.begin(), allowed.end(), name) != allowed.end();
      },
      allowed, expected);
}

void ValueReader::rejectKeys(const std::function<bool(const std::string&)>& isKnown,
                             const std::vector<std::string>& knownKeys, const std::string& expected) const {
  // Report the first unknown key in file order, so the message points at the earliest mistake.
  const Value* first = nullptr;
  std::string firstKey;
  for (std::size_t i = 0; i < table_.keys().size(); ++i) {
    const std::string& name = table_.keys()[i];
    if (isKnown(name)) continue;
    const Value& value = table_.items()[i];
    if (first == nullptr || value.line() < first->line()) {
      first = &value;
      firstKey = name;
    }
  }
  if (first == nullptr) return;
  std::string problem = "unknown key";
  const std::string suggestion = closestSpelling(firstKey, knownKeys);
  if (!suggestion.empty()) problem += " (did you mean '" + suggestion + "'?)";
  if (!expected.empty()) problem += "; expected one of " + expected;
  throw InputError(locationOf(*first, firstKey), problem);
}

}  // namespace citytwin
