#include "citytwin/scenario/toml_input.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <numeric>
#include <sstream>
#include <vector>

#include "citytwin/core/error.hpp"

namespace citytwin::scenario {
namespace {

template <typename Temporal>
Value temporal(Value::Kind kind, const Temporal& value) {
  std::ostringstream text;
  text << value;
  return Value::temporal(kind, text.str());
}

Value convert(const toml::node& node) {
  Value value;
  switch (node.type()) {
    case toml::node_type::table: {
      // toml++ orders keys alphabetically; file order is the order of their source positions.
      const toml::table& table = *node.as_table();
      std::vector<std::pair<const toml::key*, const toml::node*>> entries;
      for (const auto& [key, child] : table) entries.emplace_back(&key, &child);
      std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const toml::source_position& pa = a.second->source().begin;
        const toml::source_position& pb = b.second->source().begin;
        return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
      });
      value = Value::table();
      for (const auto& [key, child] : entries) value.set(std::string(key->str()), convert(*child));
      break;
    }
    case toml::node_type::array: {
      value = Value::array();
      for (const toml::node& element : *node.as_array()) value.push(convert(element));
      break;
    }
    case toml::node_type::string:
      value = Value(std::string(node.as_string()->get()));
      break;
    case toml::node_type::integer:
      value = Value(node.as_integer()->get());
      break;
    case toml::node_type::floating_point:
      value = Value(node.as_floating_point()->get());
      break;
    case toml::node_type::boolean:
      value = Value(node.as_boolean()->get());
      break;
    case toml::node_type::date:
      value = temporal(Value::Kind::Date, node.as_date()->get());
      break;
    case toml::node_type::time:
      value = temporal(Value::Kind::Time, node.as_time()->get());
      break;
    case toml::node_type::date_time: {
      const toml::date_time& dateTime = node.as_date_time()->get();
      std::ostringstream text;
      text << dateTime.date << 'T' << dateTime.time;
      if (dateTime.offset) text << *dateTime.offset;
      value = Value::temporal(Value::Kind::DateTime, text.str());
      break;
    }
    default:
      break;
  }
  value.setLine(static_cast<std::size_t>(node.source().begin.line));
  return value;
}

}  // namespace

Value parseToml(std::string_view text, const std::string& file, std::string_view problemPrefix) {
  try {
    const toml::table root = toml::parse(text, std::string_view(file));
    return convert(root);
  } catch (const toml::parse_error& error) {
    throw InputError({file, static_cast<std::size_t>(error.source().begin.line), ""},
                     std::string(problemPrefix) + std::string(error.description()));
  }
}

}  // namespace citytwin::scenario
