#include "citytwin/traffic/tntp.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <string_view>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Line-by-line reader that knows where it is, for error messages.
class LineReader {
 public:
  explicit LineReader(const std::filesystem::path& path) : path_(path), stream_(path) {
    if (!stream_) throw Error("cannot open '" + path.string() + "'");
  }
  bool next(std::string& line) {
    if (!std::getline(stream_, line)) return false;
    ++line_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  }
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError({path_.string(), line_, field}, problem);
  }
  std::size_t line() const { return line_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::ifstream stream_;
  std::size_t line_ = 0;
};

double parseNumber(const LineReader& reader, std::string_view token, const std::string& field) {
  token = trim(token);
  std::string text(token);
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(value))
    reader.fail(field, "expected a number, found '" + text + "'");
  return value;
}

int parseNode(const LineReader& reader, std::string_view token, const std::string& field, int count) {
  const double value = parseNumber(reader, token, field);
  if (value != static_cast<double>(static_cast<long long>(value)) || value < 1 || value > count)
    reader.fail(field, "expected an integer node id in 1.." + std::to_string(count) + ", found '" +
                           std::string(trim(token)) + "'");
  return static_cast<int>(value) - 1;
}

// Reads "<KEY> value" lines up to <END OF METADATA>; returns upper-case keys.
std::map<std::string, std::pair<std::string, std::size_t>> readMetadata(LineReader& reader) {
  std::map<std::string, std::pair<std::string, std::size_t>> metadata;
  std::string line;
  while (reader.next(line)) {
    const std::string_view text = trim(line);
    if (text.empty()) continue;
    if (text.front() != '<') reader.fail("", "expected a <KEY> metadata line or <END OF METADATA>");
    const std::size_t close = text.find('>');
    if (close == std::string_view::npos) reader.fail("", "metadata key without '>'");
    const std::string key = upper(trim(text.substr(1, close - 1)));
    if (key == "END OF METADATA") return metadata;
    metadata[key] = {std::string(trim(text.substr(close + 1))), reader.line()};
  }
  reader.fail("", "missing <END OF METADATA>");
}

std::vector<std::string_view> splitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size()) break;
    std::size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    fields.push_back(text.substr(i, j - i));
    i = j;
  }
  return fields;
}

int requiredCount(const LineReader& reader, const std::map<std::string, std::pair<std::string, std::size_t>>& metadata,
                  const std::string& key) {
  const auto it = metadata.find(key);
  if (it == metadata.end()) throw InputError({reader.path().string(), 0, key}, "missing <" + key + "> in the header");
  const LineReader& r = reader;
  char* end = nullptr;
  const long value = std::strtol(it->second.first.c_str(), &end, 10);
  if (end == it->second.first.c_str() || value < 0)
    throw InputError({r.path().string(), it->second.second, key}, "expected a non-negative integer");
  return static_cast<int>(value);
}

}  // namespace

TrafficNetwork readTntpNetwork(const std::filesystem::path& path, const TntpNetworkOptions& options) {
  LineReader reader(path);
  const auto metadata = readMetadata(reader);
  TrafficNetwork network;
  network.zoneCount = requiredCount(reader, metadata, "NUMBER OF ZONES");
  network.nodeCount = requiredCount(reader, metadata, "NUMBER OF NODES");
  const int linkCount = requiredCount(reader, metadata, "NUMBER OF LINKS");
  const int firstThrough = metadata.count("FIRST THRU NODE") ? requiredCount(reader, metadata, "FIRST THRU NODE") : 1;
  if (network.zoneCount > network.nodeCount)
    throw InputError({path.string(), metadata.at("NUMBER OF ZONES").second, "NUMBER OF ZONES"},
                     "more zones than nodes");
  network.firstThroughNode = std::max(0, firstThrough - 1);
  auto factor = [&](const char* key) {
    const auto it = metadata.find(key);
    if (it == metadata.end()) return 0.0;
    char* end = nullptr;
    const double value = std::strtod(it->second.first.c_str(), &end);
    if (end == it->second.first.c_str())
      throw InputError({path.string(), it->second.second, key}, "expected a number");
    return value;
  };
  network.tollFactor = options.tollFactor.value_or(factor("TOLL FACTOR"));
  network.distanceFactor = options.distanceFactor.value_or(factor("DISTANCE FACTOR"));
  network.links.reserve(static_cast<std::size_t>(linkCount));

  static const char* const kFields[] = {"init_node", "term_node", "capacity", "length", "free_flow_time",
                                        "b",         "power",     "speed",    "toll",   "link_type"};
  std::string line;
  while (reader.next(line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '~') continue;
    if (const std::size_t semicolon = text.find(';'); semicolon != std::string_view::npos) {
      if (!trim(text.substr(semicolon + 1)).empty()) reader.fail("", "text after ';'");
      text = text.substr(0, semicolon);
    }
    const auto fields = splitFields(text);
    if (fields.size() < 7) reader.fail("", "expected at least 7 fields (init_node .. power), found " +
                                              std::to_string(fields.size()));
    if (fields.size() > 10) reader.fail("", "expected at most 10 fields, found " + std::to_string(fields.size()));
    NetworkLink link;
    link.from = parseNode(reader, fields[0], kFields[0], network.nodeCount);
    link.to = parseNode(reader, fields[1], kFields[1], network.nodeCount);
    link.capacity = parseNumber(reader, fields[2], kFields[2]);
    link.length = parseNumber(reader, fields[3], kFields[3]);
    link.freeFlowTime = parseNumber(reader, fields[4], kFields[4]);
    link.b = parseNumber(reader, fields[5], kFields[5]);
    link.power = parseNumber(reader, fields[6], kFields[6]);
    if (fields.size() > 7) link.speed = parseNumber(reader, fields[7], kFields[7]);
    if (fields.size() > 8) link.toll = parseNumber(reader, fields[8], kFields[8]);
    if (fields.size() > 9) link.type = static_cast<int>(parseNumber(reader, fields[9], kFields[9]));
    if (link.freeFlowTime < 0) reader.fail(kFields[4], "expected a non-negative free-flow time");
    if (link.b < 0) reader.fail(kFields[5], "expected a non-negative B");
    if (link.power < 0) reader.fail(kFields[6], "expected a non-negative power");
    if (link.b > 0 && link.freeFlowTime > 0 && !(link.capacity > 0))
      reader.fail(kFields[2], "expected a positive capacity on a link with flow-dependent time");
    if (network.tollFactor * link.toll + network.distanceFactor * link.length + link.freeFlowTime < 0)
      reader.fail(kFields[8], "the generalized free-flow cost is negative");
    network.links.push_back(link);
  }
  if (static_cast<int>(network.links.size()) != linkCount)
    throw InputError({path.string(), metadata.at("NUMBER OF LINKS").second, "NUMBER OF LINKS"},
                     "header says " + std::to_string(linkCount) + " links, file has " +
                         std::to_string(network.links.size()));
  network.buildAdjacency();
  return network;
}

OdDemand readTntpTrips(const std::filesystem::path& path, const TrafficNetwork& network) {
  LineReader reader(path);
  const auto metadata = readMetadata(reader);
  const int zones = requiredCount(reader, metadata, "NUMBER OF ZONES");
  if (zones != network.zoneCount)
    throw InputError({path.string(), metadata.at("NUMBER OF ZONES").second, "NUMBER OF ZONES"},
                     "the trips file has " + std::to_string(zones) + " zones, the network " +
                         std::to_string(network.zoneCount));
  OdDemand demand;
  demand.byOrigin.resize(static_cast<std::size_t>(zones));
  int origin = -1;
  std::string line;
  while (reader.next(line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '~') continue;
    if (text.size() >= 6 && upper(text.substr(0, 6)) == "ORIGIN") {
      origin = parseNode(reader, text.substr(6), "Origin", zones);
      continue;
    }
    if (origin < 0) reader.fail("", "expected 'Origin <zone>' before destinations");
    // Entries "dest : trips;" several to a line.
    while (!text.empty()) {
      const std::size_t semicolon = text.find(';');
      std::string_view entry = trim(text.substr(0, semicolon));
      text = semicolon == std::string_view::npos ? std::string_view{} : trim(text.substr(semicolon + 1));
      if (entry.empty()) continue;
      const std::size_t colon = entry.find(':');
      if (colon == std::string_view::npos) reader.fail("", "expected 'destination : trips', found '" +
                                                               std::string(entry) + "'");
      const int destination = parseNode(reader, entry.substr(0, colon), "destination", zones);
      const double trips = parseNumber(reader, entry.substr(colon + 1), "trips");
      if (trips < 0) reader.fail("trips", "expected non-negative trips");
      if (destination == origin || trips == 0.0) continue;
      demand.byOrigin[origin].push_back({destination, trips});
    }
  }
  return demand;
}

std::vector<TntpLinkFlow> readTntpFlows(const std::filesystem::path& path) {
  LineReader reader(path);
  std::vector<TntpLinkFlow> rows;
  std::string line;
  while (reader.next(line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '~') continue;
    if (const std::size_t semicolon = text.find(';'); semicolon != std::string_view::npos) text = text.substr(0, semicolon);
    const auto fields = splitFields(text);
    if (fields.empty()) continue;
    if (!std::isdigit(static_cast<unsigned char>(fields[0].front()))) {
      if (rows.empty()) continue;  // the "From To Volume Cost" header
      reader.fail("From", "expected a node id");
    }
    if (fields.size() < 3) reader.fail("", "expected From, To, Volume [, Cost]");
    TntpLinkFlow row;
    row.from = parseNode(reader, fields[0], "From", 1 << 30);
    row.to = parseNode(reader, fields[1], "To", 1 << 30);
    row.volume = parseNumber(reader, fields[2], "Volume");
    if (fields.size() > 3) row.cost = parseNumber(reader, fields[3], "Cost");
    rows.push_back(row);
  }
  return rows;
}

std::vector<double> linkFlowsFromTntp(const std::vector<TntpLinkFlow>& rows, const TrafficNetwork& network,
                                      const std::filesystem::path& path) {
  std::map<std::pair<int, int>, std::vector<std::size_t>> rowsOfPair;
  for (std::size_t r = 0; r < rows.size(); ++r) rowsOfPair[{rows[r].from, rows[r].to}].push_back(r);
  std::map<std::pair<int, int>, std::size_t> used;
  std::vector<double> flows(network.links.size(), 0.0);
  for (std::size_t a = 0; a < network.links.size(); ++a) {
    const std::pair<int, int> key{network.links[a].from, network.links[a].to};
    const auto it = rowsOfPair.find(key);
    std::size_t& k = used[key];
    if (it == rowsOfPair.end() || k >= it->second.size())
      throw Error(path.string() + ": no flow row for link " + std::to_string(key.first + 1) + " -> " +
                  std::to_string(key.second + 1));
    flows[a] = rows[it->second[k++]].volume;
  }
  return flows;
}

void writeTntpFlows(const std::filesystem::path& path, const TrafficNetwork& network, const std::vector<double>& flows,
                    const std::vector<double>& costs) {
  AtomicOutput output(path);
  std::FILE* file = std::fopen(output.temporaryPath().c_str(), "w");
  if (!file) throw Error("cannot write '" + path.string() + "'");
  std::fprintf(file, "From \tTo \tVolume \tCost \n");
  for (std::size_t a = 0; a < network.links.size(); ++a)
    std::fprintf(file, "%d \t%d \t%.17g \t%.17g \n", network.links[a].from + 1, network.links[a].to + 1, flows[a],
                 costs[a]);
  const bool ok = std::fflush(file) == 0 && !std::ferror(file);
  std::fclose(file);
  if (!ok) throw Error("failed writing '" + path.string() + "'");
  output.commit();
}

}  // namespace citytwin::traffic
