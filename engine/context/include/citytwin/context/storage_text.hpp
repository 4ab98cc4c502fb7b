#pragma once

#include <string>

#include "citytwin/context/entity.hpp"

namespace citytwin::context {

// The stored form of an entity (toStorageJson(entity), as one JSON text) written straight into a string.
// The single writer serialises every entity of every batch before its commit; building the JSON tree
// first cost about as much as the SQLite inserts themselves.
std::string toStorageText(const Entity& entity);

}  // namespace citytwin::context
