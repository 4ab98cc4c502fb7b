#include "citytwin/core/value.hpp"

#include <cmath>

namespace citytwin {

Value Value::array(std::vector<Value> items) {
  Value value;
  value.kind_ = Kind::Array;
  value.items_ = std::move(items);
  return value;
}

Value Value::table(std::initializer_list<std::pair<std::string, Value>> entries) {
  Value value;
  value.kind_ = Kind::Table;
  for (const auto& [key, item] : entries) value.set(key, item);
  return value;
}

Value Value::temporal(Kind kind, std::string text) {
  Value value;
  value.kind_ = kind;
  value.text_ = std::move(text);
  return value;
}

std::optional<double> Value::toNumber() const {
  // Integers beyond 2^53 are not all representable as doubles; they are refused rather than rounded.
  constexpr std::int64_t kLargestWhole = std::int64_t{1} << 53;
  if (isFloat()) return float_;
  if (isInteger() && integer_ >= -kLargestWhole && integer_ <= kLargestWhole)
    return static_cast<double>(integer_);
  return std::nullopt;
}

std::optional<std::int64_t> Value::toInteger() const {
  if (isInteger()) return integer_;
  if (isBoolean()) return boolean_ ? 1 : 0;
  if (isFloat() && std::isfinite(float_) && float_ >= -9.2233720368547758e18 &&
      float_ < 9.2233720368547758e18 && static_cast<double>(static_cast<std::int64_t>(float_)) == float_) {
    return static_cast<std::int64_t>(float_);
  }
  return std::nullopt;
}

std::optional<bool> Value::toBoolean() const {
  if (isBoolean()) return boolean_;
  if (isInteger()) return integer_ != 0;
  return std::nullopt;
}

std::optional<std::string> Value::toText() const {
  if (isString()) return text_;
  return std::nullopt;
}

const Value* Value::find(std::string_view key) const {
  if (!isTable()) return nullptr;
  for (std::size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &items_[i];
  }
  return nullptr;
}

Value* Value::find(std::string_view key) {
  return const_cast<Value*>(static_cast<const Value&>(*this).find(key));
}

Value& Value::set(std::string key, Value value) {
  if (Value* existing = find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  kind_ = Kind::Table;
  keys_.push_back(std::move(key));
  items_.push_back(std::move(value));
  return items_.back();
}

const Value* Value::atPath(std::string_view path) const {
  const Value* node = this;
  while (node != nullptr) {
    const auto dot = path.find('.');
    node = node->find(path.substr(0, dot));
    if (dot == std::string_view::npos) return node;
    path.remove_prefix(dot + 1);
  }
  return nullptr;
}

Value* Value::atPath(std::string_view path) {
  return const_cast<Value*>(static_cast<const Value&>(*this).atPath(path));
}

std::string describeType(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Table:
      return "a table";
    case Value::Kind::Array:
      return "an array";
    case Value::Kind::String:
      return "a string";
    case Value::Kind::Integer:
      return "an integer";
    case Value::Kind::Float:
      return "a number";
    case Value::Kind::Boolean:
      return "a boolean";
    case Value::Kind::Date:
      return "a date";
    case Value::Kind::Time:
      return "a time";
    case Value::Kind::DateTime:
      return "a date-time";
    case Value::Kind::Null:
      break;
  }
  return "nothing";
}

}  // namespace citytwin
