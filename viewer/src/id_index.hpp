#pragma once

#include <cstddef>
#include <string>
#include <unordered_map>

namespace citytwin::viewer {

// Position of each object by its id: result files and live entities name objects by id.
template <typename Objects>
std::unordered_map<std::string, std::size_t> indexById(const Objects& objects) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < objects.size(); ++i) index.emplace(objects[i].id, i);
  return index;
}

}  // namespace citytwin::viewer
