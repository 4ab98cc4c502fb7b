#include "shared_state.hpp"

#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "citytwin/models/builtin_models.hpp"

#ifdef CITYTWIN_HAS_GENERATOR
#include "citytwin/generate/sample_city.hpp"
#endif

namespace citytwin::python {

const sim::ModelRegistry& modelRegistry() {
  static const sim::ModelRegistry registry = [] {
    sim::ModelRegistry built;
    models::registerBuiltinModels(built);
    return built;
  }();
  return registry;
}

std::shared_ptr<const city::CityModel> loadSharedCity(const std::filesystem::path& path) {
  // Keyed by the file's identity and version: a rewritten file is a different city.
  using Key = std::tuple<std::string, std::filesystem::file_time_type, std::uintmax_t>;
  static std::mutex mutex;
  static std::map<Key, std::weak_ptr<const city::CityModel>> cache;
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
  if (error || !std::filesystem::exists(canonical)) {
    throw Error(path.string() + ": city file does not exist");
  }
  const Key key{canonical.string(), std::filesystem::last_write_time(canonical),
                std::filesystem::file_size(canonical)};
  {
    const std::lock_guard lock(mutex);
    if (auto found = cache.find(key); found != cache.end()) {
      if (auto city = found->second.lock()) return city;
    }
  }
  auto city = std::make_shared<const city::CityModel>(io::loadCity(canonical));
  const std::lock_guard lock(mutex);
  cache[key] = city;
  return city;
}

std::shared_ptr<const city::CityModel> generateCity(double sizeKm, std::uint64_t seed, double demCellM,
                                                    const std::filesystem::path& path) {
#ifdef CITYTWIN_HAS_GENERATOR
  generate::SampleCityOptions options;
  options.sizeKm = sizeKm;
  options.seed = seed;
  options.demCellM = demCellM;
  const city::CityModel city = generate::generateSampleCity(options);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  io::saveCity(city, path);
  return loadSharedCity(path);
#else
  (void)sizeKm;
  (void)seed;
  (void)demCellM;
  throw Error(path.string() + ": this build has no city generator");
#endif
}

std::shared_ptr<const city::CityModel> obtainScenarioCity(const scenario::Scenario& spec) {
  if (std::filesystem::exists(spec.city)) return loadSharedCity(spec.city);
  if (!spec.generate) {
    throw InputError(spec.locationOf("city"),
                     "city file " + spec.city.string() +
                         " does not exist; create it with `citytwin city generate` or "
                         "`citytwin city import`, or add generate = { size_km = 2, seed = 1 }");
  }
  return generateCity(spec.generate->sizeKm, spec.generate->seed, spec.generate->demCellM, spec.city);
}

}  // namespace citytwin::python
