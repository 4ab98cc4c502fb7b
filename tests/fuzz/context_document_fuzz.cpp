// libFuzzer target for remote @context documents: any byte string, served as the document of every URL
// (so it may name itself or other URLs: compound contexts and cycles), must resolve to a context or end in
// a ContextError — never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/context/context_documents.hpp"
#include "citytwin/context/context_error.hpp"
#include "citytwin/context/json_ld_context.hpp"

using namespace citytwin::context;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ContextDocuments documents([&text](const std::string&) {
    auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded()) throw ContextError(ErrorKind::ContextNotAvailable, "not JSON");
    return document;
  });
  try {
    const auto context = resolveContext(nlohmann::json("https://fuzz.test/context.jsonld"), &documents);
    (void)context->expand("term");
    (void)context->compact("https://fuzz.test/term");
  } catch (const ContextError&) {
  }
  return 0;
}
