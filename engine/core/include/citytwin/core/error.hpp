#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace citytwin {

// Every failure the user can cause (bad input, missing file, unwritable output) is reported as an Error
// whose message names the file, line or field and what was expected. The CLI turns it into exit code 1.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where in an input a problem was found. Line 0 means "the whole file"; an empty key means "no key".
struct InputLocation {
  std::string file;
  std::size_t line = 0;
  std::string key;
};

// An Error tied to a place in an input file: "scenario.toml:12: key 'end': expected a date-time".
class InputError : public Error {
 public:
  InputError(InputLocation location, const std::string& problem);

  const InputLocation& location() const noexcept { return location_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  InputLocation location_;
  std::string problem_;
};

std::string formatInputError(const InputLocation& location, const std::string& problem);

}  // namespace citytwin
