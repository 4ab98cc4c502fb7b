#pragma once

#include <string_view>
#include <vector>

namespace citytwin::context::detail {

struct BuiltinTerm {
  std::string_view term;
  std::string_view iri;
};

struct BuiltinDomainContext {
  std::string_view domain;  // "Transportation": served for dataModel.Transportation context URLs
  std::vector<BuiltinTerm> terms;
};

const std::vector<BuiltinTerm>& coreContextTerms();
std::string_view coreDefaultVocabulary();
const std::vector<BuiltinDomainContext>& smartDataModelContexts();

}  // namespace citytwin::context::detail
