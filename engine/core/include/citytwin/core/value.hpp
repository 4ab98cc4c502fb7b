#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citytwin {

// A typed tree of input values — what a scenario file, a model's parameter table or an intervention
// holds, whether it was read from a file or built in code. Tables keep their keys in order (file order
// when read from a file). Every node remembers the line it came from (0 when built in code), so an
// error found long after parsing can still name file:line:key.
class Value {
 public:
  // Date, Time and DateTime keep their ISO 8601 text; they exist so inputs can tell them from strings.
  enum class Kind { Null, Boolean, Integer, Float, String, Date, Time, DateTime, Array, Table };

  Value() = default;
  Value(bool value) : kind_(Kind::Boolean), boolean_(value) {}
  Value(int value) : kind_(Kind::Integer), integer_(value) {}
  Value(std::int64_t value) : kind_(Kind::Integer), integer_(value) {}
  Value(double value) : kind_(Kind::Float), float_(value) {}
  Value(const char* text) : kind_(Kind::String), text_(text) {}
  Value(std::string text) : kind_(Kind::String), text_(std::move(text)) {}

  static Value array(std::vector<Value> items = {});
  static Value table(std::initializer_list<std::pair<std::string, Value>> entries = {});
  // A Date, Time or DateTime with its ISO 8601 text.
  static Value temporal(Kind kind, std::string text);

  Kind kind() const { return kind_; }
  std::size_t line() const { return line_; }
  Value& setLine(std::size_t line) {
    line_ = line;
    return *this;
  }

  bool isNull() const { return kind_ == Kind::Null; }
  bool isBoolean() const { return kind_ == Kind::Boolean; }
  bool isInteger() const { return kind_ == Kind::Integer; }
  bool isFloat() const { return kind_ == Kind::Float; }
  bool isNumber() const { return isInteger() || isFloat(); }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isTable() const { return kind_ == Kind::Table; }

  // Exact access; each requires the matching kind.
  bool asBoolean() const { return boolean_; }
  std::int64_t asInteger() const { return integer_; }
  double asFloat() const { return float_; }
  const std::string& asString() const { return text_; }  // also the text of a Date, Time or DateTime
  // An integer or a float as a double.
  double asNumber() const { return isInteger() ? static_cast<double>(integer_) : float_; }

  // Lenient conversions, as TOML libraries offer them: a number from an integer or a float, an integer
  // from a boolean or a whole float, a boolean from a boolean or an integer; empty when not convertible.
  std::optional<double> toNumber() const;
  std::optional<std::int64_t> toInteger() const;
  std::optional<bool> toBoolean() const;
  std::optional<std::string> toText() const;  // strings only

  // Arrays: the elements; tables: the values, in key order.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }
  std::size_t size() const { return items_.size(); }
  void push(Value item) { items_.push_back(std::move(item)); }

  // Tables: the keys, parallel to items().
  const std::vector<std::string>& keys() const { return keys_; }
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  // Replaces the value of `key` in place, or appends the key.
  Value& set(std::string key, Value value);
  // The node at a dotted path of table keys ("rain.intensity"), or nullptr.
  const Value* atPath(std::string_view path) const;
  Value* atPath(std::string_view path);

 private:
  Kind kind_ = Kind::Null;
  bool boolean_ = false;
  std::int64_t integer_ = 0;
  double float_ = 0.0;
  std::string text_;
  std::vector<std::string> keys_;  // tables only
  std::vector<Value> items_;       // arrays and tables
  std::size_t line_ = 0;
};

// "a table", "an integer", "a string", ... for messages.
std::string describeType(const Value& value);

}  // namespace citytwin
