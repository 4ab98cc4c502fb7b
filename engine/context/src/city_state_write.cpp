#include "citytwin/context/city_state_write.hpp"

namespace citytwin::context {

void applyWrites(const std::vector<CityStateWrite>& writes, city::CityState& state) {
  for (const CityStateWrite& write : writes) state.column(write.layer, write.column)[write.index] = write.value;
}

}  // namespace citytwin::context
