#include "citytwin/flood/lisflood_case.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/core/progress.hpp"

namespace citytwin::flood {
namespace {

namespace fs = std::filesystem;

std::string lowered(std::string text) {
  for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return text;
}

struct ParEntry {
  std::string value;
  std::size_t line = 0;
};

double numberOf(const fs::path& file, const std::string& key, const ParEntry& entry) {
  std::istringstream in(entry.value);
  double value = 0.0;
  if (!(in >> value) || !std::isfinite(value)) throw InputError({file.string(), entry.line, key}, "expected a number, found '" + entry.value + "'");
  return value;
}

// Reads the lines of a LISFLOOD-FP text input, remembering line numbers; blank lines dropped.
struct TextLines {
  fs::path file;
  std::vector<std::pair<std::size_t, std::string>> lines;
  std::size_t next = 0;

  explicit TextLines(const fs::path& path) : file(path) {
    std::ifstream in(path);
    if (!in) throw InputError({path.string(), 0, ""}, "cannot open the file");
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
      ++number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      lines.emplace_back(number, line);
    }
  }
  bool done() const { return next >= lines.size(); }
  const std::pair<std::size_t, std::string>& take(const std::string& what) {
    if (done()) throw InputError({file.string(), lines.empty() ? 0 : lines.back().first, ""}, "unexpected end of file, expected " + what);
    return lines[next++];
  }
};

double unitSeconds(const fs::path& file, std::size_t line, const std::string& unit) {
  const std::string u = lowered(unit);
  if (u.empty() || u == "seconds" || u == "second" || u == "s") return 1.0;
  if (u == "minutes" || u == "minute" || u == "min") return 60.0;
  if (u == "hours" || u == "hour" || u == "h") return 3600.0;
  if (u == "days" || u == "day") return 86400.0;
  throw InputError({file.string(), line, "units"}, "unknown time unit '" + unit + "' (expected seconds, minutes, hours or days)");
}

// "N units" followed by N lines "value time".
TimeSeries readSeriesBody(TextLines& text) {
  const auto& [countLine, countText] = text.take("a line 'N units'");
  std::istringstream header(countText);
  long long count = 0;
  std::string unit;
  if (!(header >> count) || count < 1) throw InputError({text.file.string(), countLine, "count"}, "expected a positive number of samples followed by a time unit");
  header >> unit;
  const double scale = unitSeconds(text.file, countLine, unit);
  TimeSeries series;
  for (long long k = 0; k < count; ++k) {
    const auto& [line, content] = text.take("a line 'value time'");
    std::istringstream in(content);
    double value = 0.0, time = 0.0;
    if (!(in >> value >> time) || !std::isfinite(value) || !std::isfinite(time))
      throw InputError({text.file.string(), line, ""}, "expected 'value time', found '" + content + "'");
    if (!series.times.empty() && time * scale < series.times.back())
      throw InputError({text.file.string(), line, "time"}, "times must not decrease");
    series.times.push_back(time * scale);
    series.values.push_back(value);
  }
  return series;
}

std::map<std::string, TimeSeries> readBdy(const fs::path& path) {
  TextLines text(path);
  std::map<std::string, TimeSeries> result;
  if (!text.done()) text.take("a comment line");  // first line is a free comment
  while (!text.done()) {
    const auto& [line, name] = text.take("a boundary name");
    std::istringstream in(name);
    std::string key;
    in >> key;
    result[key] = readSeriesBody(text);
  }
  return result;
}

BoundaryType boundaryType(const fs::path& file, std::size_t line, const std::string& word) {
  const std::string w = lowered(word);
  if (w == "free") return BoundaryType::Free;
  if (w == "hfix") return BoundaryType::FixedLevel;
  if (w == "hvar") return BoundaryType::Level;
  if (w == "qfix") return BoundaryType::FixedFlow;
  if (w == "qvar") return BoundaryType::Flow;
  throw InputError({file.string(), line, word}, "unknown boundary type (expected FREE, HFIX, HVAR, QFIX or QVAR)");
}

void readBci(const fs::path& path, const std::map<std::string, TimeSeries>& series, Forcing& forcing) {
  TextLines text(path);
  while (!text.done()) {
    const auto& [line, content] = text.take("a boundary");
    std::istringstream in(content);
    std::string where;
    in >> where;
    if (where.empty() || where[0] == '#') continue;
    const std::string w = lowered(where);
    double a = 0.0, b = 0.0;
    std::string type;
    if (!(in >> a >> b >> type)) throw InputError({path.string(), line, where}, "expected 'N|S|E|W start end TYPE [value|name]' or 'P x y TYPE [value|name]'");
    const BoundaryType kind = boundaryType(path, line, type);
    std::string argument;
    in >> argument;
    double value = 0.0;
    TimeSeries timeSeries;
    if (kind == BoundaryType::Level || kind == BoundaryType::Flow) {
      const auto found = series.find(argument);
      if (argument.empty() || found == series.end())
        throw InputError({path.string(), line, argument}, "names no series of the bdyfile");
      timeSeries = found->second;
    } else if (!argument.empty()) {
      std::istringstream number(argument);
      if (!(number >> value)) throw InputError({path.string(), line, argument}, "expected a number");
    } else if (kind != BoundaryType::Free) {
      throw InputError({path.string(), line, type}, "expected a value after the boundary type");
    }
    if (w == "p") {
      PointBoundary p;
      p.x = a;
      p.y = b;
      p.type = kind;
      p.value = value;
      p.series = std::move(timeSeries);
      forcing.points.push_back(std::move(p));
      continue;
    }
    EdgeBoundary e;
    if (w == "n") e.edge = Edge::North;
    else if (w == "s") e.edge = Edge::South;
    else if (w == "e") e.edge = Edge::East;
    else if (w == "w") e.edge = Edge::West;
    else throw InputError({path.string(), line, where}, "expected N, S, E, W or P");
    e.from = a;
    e.to = b;
    e.type = kind;
    e.value = value;
    e.series = std::move(timeSeries);
    forcing.edges.push_back(std::move(e));
  }
}

TimeSeries readRainfall(const fs::path& path) {
  TextLines text(path);
  text.take("a comment line");
  return readSeriesBody(text);
}

std::vector<std::pair<double, double>> readStages(const fs::path& path) {
  TextLines text(path);
  const auto& [countLine, countText] = text.take("the number of stage points");
  long long count = 0;
  std::istringstream header(countText);
  if (!(header >> count) || count < 0) throw InputError({path.string(), countLine, ""}, "expected the number of stage points");
  std::vector<std::pair<double, double>> points;
  for (long long k = 0; k < count; ++k) {
    const auto& [line, content] = text.take("a line 'x y'");
    std::istringstream in(content);
    double x = 0.0, y = 0.0;
    if (!(in >> x >> y)) throw InputError({path.string(), line, ""}, "expected 'x y'");
    points.emplace_back(x, y);
  }
  return points;
}

void checkSameGeometry(const AsciiGrid& dem, const AsciiGrid& other, const fs::path& path) {
  if (other.columns != dem.columns || other.rows != dem.rows)
    throw InputError({path.string(), 1, "ncols"}, "grid size differs from the DEM");
}

}  // namespace

LisfloodCase readLisfloodCase(const fs::path& parFile) {
  std::ifstream in(parFile);
  if (!in) throw InputError({parFile.string(), 0, ""}, "cannot open the parameter file");
  const fs::path folder = parFile.has_parent_path() ? parFile.parent_path() : fs::path(".");
  std::map<std::string, ParEntry> entries;
  std::map<std::string, std::string> spelled;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream fields(line);
    std::string key;
    if (!(fields >> key) || key[0] == '#') continue;
    std::string value;
    std::getline(fields >> std::ws, value);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    entries[lowered(key)] = {value, number};
    spelled[lowered(key)] = key;
  }
  auto has = [&](const std::string& key) { return entries.count(key) != 0; };
  auto pathOf = [&](const std::string& key) {
    const ParEntry& e = entries.at(key);
    if (e.value.empty()) throw InputError({parFile.string(), e.line, spelled[key]}, "expected a file name");
    const fs::path p(e.value);
    return p.is_absolute() ? p : folder / p;
  };
  auto numberFor = [&](const std::string& key) { return numberOf(parFile, spelled[key], entries.at(key)); };

  static const std::set<std::string> known = {"demfile", "sim_time", "initial_tstep", "massint", "saveint", "fpfric", "manningfile",
                                              "bcifile", "bdyfile", "rainfall", "stagefile", "acceleration", "elevoff", "resroot",
                                              "dirroot", "fv1", "theta", "cfl", "startfile", "depththresh", "infiltration", "adaptoff",
                                              "depthoff", "mint_hk", "qlimfact", "maxint"};
  LisfloodCase result;
  result.parFile = parFile;
  for (const auto& [key, entry] : entries)
    if (!known.count(key)) result.ignoredKeys.push_back(spelled[key]);
  for (const char* key : {"depthoff", "mint_hk", "qlimfact", "maxint"})
    if (has(key)) result.ignoredKeys.push_back(spelled[key]);

  if (!has("demfile")) throw InputError({parFile.string(), 0, "DEMfile"}, "the parameter file names no DEMfile");
  if (!has("sim_time")) throw InputError({parFile.string(), 0, "sim_time"}, "the parameter file sets no sim_time");
  result.dem = readAsciiGrid(pathOf("demfile"));
  const AsciiGrid& dem = result.dem;
  Domain& domain = result.domain;
  domain.columns = dem.columns;
  domain.rows = dem.rows;
  domain.cellSize = dem.cellSize;
  domain.west = dem.xllCorner;
  domain.north = dem.yllCorner + static_cast<double>(dem.rows) * dem.cellSize;
  domain.elevation = dem.values;
  domain.blocked.assign(dem.values.size(), 0);
  for (std::size_t i = 0; i < dem.values.size(); ++i) {
    if (dem.isNoData(i)) {
      domain.blocked[i] = 1;
      domain.elevation[i] = 0.0;
    }
  }
  result.simTime = numberFor("sim_time");
  if (!(result.simTime > 0)) throw InputError({parFile.string(), entries.at("sim_time").line, spelled["sim_time"]}, "must be positive");
  if (has("massint")) result.massInterval = numberFor("massint");
  if (has("saveint")) result.saveInterval = numberFor("saveint");
  if (!(result.massInterval > 0)) throw InputError({parFile.string(), entries.at("massint").line, spelled["massint"]}, "must be positive");
  if (has("fpfric")) domain.uniformManning = numberFor("fpfric");
  if (has("manningfile")) {
    const fs::path p = pathOf("manningfile");
    const AsciiGrid n = readAsciiGrid(p);
    checkSameGeometry(dem, n, p);
    domain.manning.resize(n.values.size());
    for (std::size_t i = 0; i < n.values.size(); ++i)
      domain.manning[i] = static_cast<float>(n.isNoData(i) ? domain.uniformManning : n.values[i]);
  }
  if (has("startfile")) {
    const fs::path p = pathOf("startfile");
    const AsciiGrid start = readAsciiGrid(p);
    checkSameGeometry(dem, start, p);
    std::vector<double> depths(start.values.size());
    for (std::size_t i = 0; i < depths.size(); ++i) depths[i] = start.isNoData(i) ? 0.0 : std::max(0.0, start.values[i]);
    result.initialDepths = std::move(depths);
  }
  std::map<std::string, TimeSeries> series;
  if (has("bdyfile")) series = readBdy(pathOf("bdyfile"));
  if (has("bcifile")) readBci(pathOf("bcifile"), series, result.forcing);
  if (has("rainfall")) result.forcing.rainfall.uniform = readRainfall(pathOf("rainfall"));
  if (has("infiltration")) result.forcing.infiltration.constantMmPerHour = numberFor("infiltration") * 3.6e6;  // m/s
  if (has("stagefile")) {
    result.stageFile = pathOf("stagefile");
    result.stagePoints = readStages(result.stageFile);
  }
  SimulationOptions& options = result.options;
  // Float storage, as the city model: half the memory traffic of double, so a .par run is as fast as a
  // scenario on the same grid; double (1e-15 mass balance instead of 1e-7) on request.
  options.precision = Precision::Single;
  options.scheme = has("fv1") ? Scheme::FiniteVolume : Scheme::LocalInertial;
  options.maxTimeStep = has("initial_tstep") ? numberFor("initial_tstep") : 10.0;
  if (!(options.maxTimeStep > 0)) throw InputError({parFile.string(), entries.at("initial_tstep").line, spelled["initial_tstep"]}, "must be positive");
  if (has("theta")) options.theta = numberFor("theta");
  if (has("cfl")) options.cfl = numberFor("cfl");
  if (has("depththresh")) options.depthThreshold = numberFor("depththresh");
  if (has("adaptoff")) options.fixedTimeStep = options.maxTimeStep;
  options.trackMaxima = true;
  if (has("resroot") && !entries.at("resroot").value.empty()) result.resroot = entries.at("resroot").value;
  result.dirroot = has("dirroot") ? pathOf("dirroot") : folder / "results";
  return result;
}

namespace {

class TextOutput {
 public:
  explicit TextOutput(const fs::path& path) : output_(path), file_(std::fopen(output_.temporaryPath().c_str(), "wb")) {
    if (file_ == nullptr) throw Error(path.string() + ": cannot write");
  }
  ~TextOutput() {
    if (file_ != nullptr) std::fclose(file_);
  }
  TextOutput(const TextOutput&) = delete;
  TextOutput& operator=(const TextOutput&) = delete;
  std::FILE* get() { return file_; }
  void commit() {
    const bool failed = std::ferror(file_) != 0;
    std::fclose(file_);
    file_ = nullptr;
    if (failed) throw Error(output_.finalPath().string() + ": write failed");
    output_.commit();
  }

 private:
  AtomicOutput output_;
  std::FILE* file_;
};

}  // namespace

LisfloodRunResult runLisfloodCase(const LisfloodCase& lisfloodCase, const fs::path& outputDirectory, Progress* progress) {
  const auto started = std::chrono::steady_clock::now();
  LisfloodRunResult result;
  result.outputDirectory = outputDirectory.empty() ? lisfloodCase.dirroot : outputDirectory;
  std::error_code ec;
  fs::create_directories(result.outputDirectory, ec);
  if (ec) throw Error(result.outputDirectory.string() + ": cannot create the output folder: " + ec.message());
  const fs::path root = result.outputDirectory / lisfloodCase.resroot;
  auto named = [&](const std::string& suffix) { return fs::path(root.string() + suffix); };

  Simulation simulation(lisfloodCase.domain, lisfloodCase.forcing, lisfloodCase.options);
  if (lisfloodCase.initialDepths) simulation.setDepths(*lisfloodCase.initialDepths);
  else simulation.setDepths(std::vector<double>(lisfloodCase.domain.cellCount(), 0.0));
  const Domain& domain = lisfloodCase.domain;
  const double area = domain.cellSize * domain.cellSize;

  TextOutput mass(named(".mass"));
  std::fprintf(mass.get(), "Time         Tstep      MinTstep   NumTsteps    Area         Vol         Qin         Hds        Qout          Qerror       Verror       Rain-(Inf+Evap)\n");
  std::unique_ptr<TextOutput> stage;
  std::vector<std::optional<std::size_t>> stageCells;
  if (!lisfloodCase.stageFile.empty()) {
    stage = std::make_unique<TextOutput>(named(".stage"));
    std::fprintf(stage->get(), "Stage output, depth (m). Stage locations from: %s\n\n", lisfloodCase.stageFile.filename().string().c_str());
    std::fprintf(stage->get(), "Stage information (stage,x,y,elev):\n");
    for (std::size_t i = 0; i < lisfloodCase.stagePoints.size(); ++i) {
      const auto [x, y] = lisfloodCase.stagePoints[i];
      std::size_t c = 0, r = 0;
      if (domain.cellAt(x, y, c, r) && !domain.isBlocked(r * domain.columns + c)) {
        stageCells.emplace_back(r * domain.columns + c);
        std::fprintf(stage->get(), "%zu\t%.4f\t%.4f\t%.4f\n", i + 1, x, y, domain.elevation[r * domain.columns + c]);
      } else {
        stageCells.emplace_back(std::nullopt);
        std::fprintf(stage->get(), "%zu\t%.4f\t%.4f\tn/a\n", i + 1, x, y);
      }
    }
    std::fprintf(stage->get(), "\nOutput, depths:\n");
    std::fprintf(stage->get(), "Time; stages 1 to %zu\n", lisfloodCase.stagePoints.size());
  }

  double lastError = 0.0;
  double lastMassTime = 0.0;
  auto writeMass = [&] {
    const MassBalance& m = simulation.massBalance();
    const StepInfo& info = simulation.stepInfo();
    double flooded = 0.0;
    const std::vector<double> depths = simulation.depths();
    for (double h : depths)
      if (h > 0.01) flooded += area;
    const double error = m.error();
    const double interval = simulation.time() - lastMassTime;
    const double errorRate = interval > 0 ? (error - lastError) / interval : 0.0;
    std::fprintf(mass.get(), "%-12.3f %-10.4f %-10.4f %-10lli %12.4e %12.4e  %-11.3f %-10.3f %-11.3f %12.4e %12.4e %12.4e\n",
                 simulation.time(), info.timeStep, info.minTimeStep, static_cast<long long>(info.steps), flooded, m.volume,
                 info.inflowRate, 0.0, info.outflowRate, errorRate, error, m.rainfall - (m.infiltration));
    lastError = error;
    lastMassTime = simulation.time();
    if (stage) {
      std::fprintf(stage->get(), "%12.3f", simulation.time());
      for (const auto& cell : stageCells) {
        if (cell) std::fprintf(stage->get(), "%10.4f", depths[*cell]);
        else std::fprintf(stage->get(), "-\t");
      }
      std::fprintf(stage->get(), "\n");
    }
  };
  int saveNumber = 0;
  auto writeSnapshot = [&] {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%04d.wd", saveNumber++);
    const fs::path path = named(suffix);
    writeAsciiGrid(path, lisfloodCase.dem, simulation.depths());
    result.files.push_back(path);
  };

  const double end = lisfloodCase.simTime;
  double nextMass = 0.0;
  double nextSave = lisfloodCase.saveInterval > 0 ? 0.0 : end + 1.0;
  Progress bar("flood " + lisfloodCase.parFile.filename().string(), 1000);
  (void)progress;
  const auto steppingStarted = std::chrono::steady_clock::now();
  while (true) {
    const double t = simulation.time();
    if (t >= nextMass - 1e-9) {
      writeMass();
      nextMass += lisfloodCase.massInterval;
    }
    if (t >= nextSave - 1e-9) {
      writeSnapshot();
      nextSave += lisfloodCase.saveInterval;
    }
    if (t >= end - 1e-9) break;
    const double target = std::min({end, nextMass, nextSave});
    simulation.advanceTo(target);
    if (!(simulation.time() > t)) throw Error("flood: the simulation stopped advancing at t = " + std::to_string(t) + " s");
    bar.advance(static_cast<std::uint64_t>(1000.0 * simulation.time() / end) - std::min<std::uint64_t>(static_cast<std::uint64_t>(1000.0 * t / end), static_cast<std::uint64_t>(1000.0 * simulation.time() / end)));
  }
  result.steppingSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - steppingStarted).count();
  bar.finish();
  std::vector<double> maxima(simulation.maxDepth().begin(), simulation.maxDepth().end());
  writeAsciiGrid(named(".max"), lisfloodCase.dem, maxima);
  result.files.push_back(named(".max"));
  mass.commit();
  result.files.push_back(named(".mass"));
  if (stage) {
    stage->commit();
    result.files.push_back(named(".stage"));
  }
  result.steps = simulation.stepInfo().steps;
  result.cellUpdates = simulation.cellUpdates();
  result.mass = simulation.massBalance();
  result.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace citytwin::flood
