// libFuzzer target for the NGSI-LD parser: any byte string, read as an entity payload, a query expression
// and a geo-query, must end in a result or a ContextError — never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "citytwin/context/context_error.hpp"
#include "citytwin/context/entity_codec.hpp"
#include "citytwin/context/entity_query.hpp"
#include "citytwin/context/json_ld_context.hpp"

using namespace citytwin::context;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_discarded()) {
    try {
      const auto context = document.is_object() && document.contains("@context") ? resolveContext(document["@context"])
                                                                                 : coreContext();
      const Entity entity = parseEntity(document, *context);
      for (const auto form : {Representation::Normalized, Representation::Concise, Representation::KeyValues}) {
        SerializeOptions options;
        options.representation = form;
        const auto out = serializeEntity(entity, context.get(), options);
        if (form != Representation::KeyValues) {
          const Entity back = parseEntity(out, *context);
          if (!back.sameContent(entity)) __builtin_trap();  // a round trip must not change content
        }
      }
      (void)fromStorageJson(toStorageJson(entity));
    } catch (const ContextError&) {
    }
  }
  try {
    const auto query = QueryExpression::parse(text, *coreContext());
    (void)query;
  } catch (const ContextError&) {
  }
  try {
    (void)GeoQuery::parse(text, "Polygon", text, "https://uri.etsi.org/ngsi-ld/location");
  } catch (const ContextError&) {
  }
  return 0;
}
