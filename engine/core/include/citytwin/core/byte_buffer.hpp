#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "citytwin/core/error.hpp"

namespace citytwin {

// The bytes of a model's snapshot (sim::Model::snapshot / restore): plain values, and arrays of them behind
// their length. Snapshots are restored by the same build on the same machine, so values are stored as they
// lie in memory; only their sizes are checked.
class ByteWriter {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  template <typename T>
  void putVector(const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    put<std::uint64_t>(values.size());
    const auto* p = reinterpret_cast<const std::uint8_t*>(values.data());
    bytes.insert(bytes.end(), p, p + values.size() * sizeof(T));
  }
  // Text behind its length, framed like an array of chars.
  void putString(const std::string& text) {
    put<std::uint64_t>(text.size());
    bytes.insert(bytes.end(), text.begin(), text.end());
  }
  std::vector<std::uint8_t> bytes;
};

class ByteReader {
 public:
  // `what` names the snapshot in errors, e.g. "flood snapshot".
  ByteReader(std::span<const std::uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value{};
    need(1, sizeof(T));
    std::memcpy(&value, bytes_.data() + offset_, sizeof(T));
    offset_ += sizeof(T);
    return value;
  }
  // An array of any length.
  template <typename T>
  std::vector<T> getVector() {
    std::vector<T> values;
    read(values, get<std::uint64_t>());
    return values;
  }
  // An array whose length the restoring object already knows: another length means the snapshot is of
  // another object (another grid, another network).
  template <typename T>
  void getVector(std::vector<T>& values, std::size_t expected) {
    const auto count = get<std::uint64_t>();
    if (count != expected) {
      throw Error(what_ + ": an array of " + std::to_string(count) + " values where " +
                  std::to_string(expected) + " were expected");
    }
    read(values, count);
  }
  std::string getString() {
    const auto length = get<std::uint64_t>();
    need(length, 1);
    std::string text(reinterpret_cast<const char*>(bytes_.data() + offset_), static_cast<std::size_t>(length));
    offset_ += text.size();
    return text;
  }

 private:
  template <typename T>
  void read(std::vector<T>& values, std::uint64_t count) {
    static_assert(std::is_trivially_copyable_v<T>);
    need(count, sizeof(T));
    values.resize(static_cast<std::size_t>(count));
    if (count == 0) return;
    std::memcpy(values.data(), bytes_.data() + offset_, values.size() * sizeof(T));
    offset_ += values.size() * sizeof(T);
  }
  // Compared by division, so a corrupt count cannot overflow the product.
  void need(std::uint64_t count, std::size_t size) const {
    if (count > (bytes_.size() - offset_) / size) throw Error(what_ + ": truncated");
  }
  std::span<const std::uint8_t> bytes_;
  std::string what_;
  std::size_t offset_ = 0;
};

}  // namespace citytwin
