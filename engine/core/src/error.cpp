#include "citytwin/core/error.hpp"

#include <sstream>

namespace citytwin {

std::string formatInputError(const InputLocation& location, const std::string& problem) {
  std::ostringstream text;
  text << (location.file.empty() ? std::string("<input>") : location.file);
  if (location.line > 0) text << ':' << location.line;
  text << ": ";
  if (!location.key.empty()) text << "key '" << location.key << "': ";
  text << problem;
  return text.str();
}

InputError::InputError(InputLocation location, const std::string& problem)
    : Error(formatInputError(location, problem)), location_(std::move(location)), problem_(problem) {}

}  // namespace citytwin
