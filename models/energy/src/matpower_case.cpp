#include "citytwin/energy/matpower_case.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_set>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {
namespace {

struct Row {
  std::vector<std::string> fields;
  std::size_t line = 0;
};

struct Matrix {
  std::vector<Row> rows;
  std::size_t line = 0;   // where `mpc.<name> = [` is
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Drops a MATPOWER comment (% to end of line) that is not inside a quoted string.
std::string_view stripComment(std::string_view line) {
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\'') quoted = !quoted;
    if (line[i] == '%' && !quoted) return line.substr(0, i);
  }
  return line;
}

void splitFields(std::string_view text, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == ',' || text[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != ',' && text[j] != '\r') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
}

class CaseParser {
 public:
  CaseParser(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  PowerCase parse() {
    std::size_t lineNumber = 0;
    std::size_t pos = 0;
    std::string openMatrix;          // name of the numeric matrix being read
    bool inCell = false;             // inside a cell array such as mpc.bus_name = { ... };
    Row pending;
    while (pos <= text_.size()) {
      std::size_t end = text_.find('\n', pos);
      if (end == std::string_view::npos) end = text_.size();
      std::string_view line = trim(stripComment(text_.substr(pos, end - pos)));
      ++lineNumber;
      pos = end + 1;
      if (inCell) {
        if (line.find("};") != std::string_view::npos || line == "}") inCell = false;
        continue;
      }
      if (openMatrix.empty()) {
        if (!line.starts_with("mpc.")) continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string name{trim(line.substr(4, eq - 4))};
        std::string_view value = trim(line.substr(eq + 1));
        if (value.starts_with("[")) {
          if (matrices_.count(name)) fail(lineNumber, "mpc." + name, "section defined twice");
          matrices_[name].line = lineNumber;
          openMatrix = name;
          line = value.substr(1);
        } else if (value.starts_with("{")) {
          inCell = value.find('}') == std::string_view::npos;
          continue;
        } else {
          scalars_[name] = {std::string(trim(value.substr(0, value.find(';')))), lineNumber};
          continue;
        }
      }
      // Inside a numeric matrix: rows end at ';' or at the end of the line.
      bool closes = false;
      std::size_t start = 0;
      for (std::size_t i = 0; i <= line.size(); ++i) {
        const bool atEnd = i == line.size();
        const char c = atEnd ? '\0' : line[i];
        if (atEnd || c == ';' || c == ']') {
          splitFields(line.substr(start, i - start), pending.fields);
          if (!pending.fields.empty()) {
            if (pending.line == 0) pending.line = lineNumber;
            matrices_[openMatrix].rows.push_back(std::move(pending));
            pending = Row{};
          }
          start = i + 1;
          if (c == ']') {
            closes = true;
            break;
          }
        }
      }
      if (closes) openMatrix.clear();
      if (end == text_.size()) break;
    }
    if (!openMatrix.empty())
      fail(matrices_[openMatrix].line, "mpc." + openMatrix, "matrix is not closed with '];'");

    PowerCase result;
    result.source = source_;
    const auto base = scalars_.find("baseMVA");
    if (base == scalars_.end()) fail(0, "mpc.baseMVA", "missing section: expected 'mpc.baseMVA = <number>;'");
    result.baseMva = number(base->second.first, base->second.second, "mpc.baseMVA");
    if (!(result.baseMva > 0)) fail(base->second.second, "mpc.baseMVA", "expected a positive number");

    const Matrix& bus = section("bus", 13);
    std::unordered_set<int> busIds;
    for (const Row& row : bus.rows) {
      CaseBus b;
      b.line = row.line;
      b.id = integer(row, 0, "mpc.bus", "BUS_I");
      const int type = integer(row, 1, "mpc.bus", "BUS_TYPE");
      if (type < 1 || type > 4) fail(row.line, "mpc.bus", "BUS_TYPE must be 1 (PQ), 2 (PV), 3 (ref) or 4 (isolated)");
      b.type = static_cast<BusType>(type);
      b.pdMw = value(row, 2, "mpc.bus");
      b.qdMvar = value(row, 3, "mpc.bus");
      b.gsMw = value(row, 4, "mpc.bus");
      b.bsMvar = value(row, 5, "mpc.bus");
      b.vm = value(row, 7, "mpc.bus");
      b.vaDeg = value(row, 8, "mpc.bus");
      b.baseKv = value(row, 9, "mpc.bus");
      if (!busIds.insert(b.id).second) fail(row.line, "mpc.bus", "bus " + std::to_string(b.id) + " defined twice");
      result.buses.push_back(b);
    }
    const Matrix& gen = section("gen", 10);
    for (const Row& row : gen.rows) {
      CaseGenerator g;
      g.line = row.line;
      g.bus = integer(row, 0, "mpc.gen", "GEN_BUS");
      requireBus(busIds, g.bus, row.line, "mpc.gen");
      g.pgMw = value(row, 1, "mpc.gen");
      g.qgMvar = value(row, 2, "mpc.gen");
      g.vgSetpoint = value(row, 5, "mpc.gen");
      g.inService = value(row, 7, "mpc.gen") > 0;
      result.generators.push_back(g);
    }
    const Matrix& branch = section("branch", 11);
    for (const Row& row : branch.rows) {
      CaseBranch br;
      br.line = row.line;
      br.from = integer(row, 0, "mpc.branch", "F_BUS");
      br.to = integer(row, 1, "mpc.branch", "T_BUS");
      requireBus(busIds, br.from, row.line, "mpc.branch");
      requireBus(busIds, br.to, row.line, "mpc.branch");
      br.r = value(row, 2, "mpc.branch");
      br.x = value(row, 3, "mpc.branch");
      br.b = value(row, 4, "mpc.branch");
      br.rateAMva = value(row, 5, "mpc.branch");
      br.ratio = value(row, 8, "mpc.branch");
      br.shiftDeg = value(row, 9, "mpc.branch");
      br.inService = value(row, 10, "mpc.branch") > 0;
      if (br.inService && br.r == 0 && br.x == 0)
        fail(row.line, "mpc.branch", "branch with zero impedance (r = x = 0)");
      result.branches.push_back(br);
    }
    return result;
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& key, const std::string& problem) const {
    throw InputError({source_, line, key}, problem);
  }

  const Matrix& section(const std::string& name, std::size_t minColumns) {
    const auto it = matrices_.find(name);
    if (it == matrices_.end())
      fail(0, "mpc." + name, "missing section: expected 'mpc." + name + " = [ ... ];'");
    const Matrix& m = it->second;
    if (m.rows.empty()) fail(m.line, "mpc." + name, "section has no rows");
    const std::size_t columns = m.rows.front().fields.size();
    if (columns < minColumns)
      fail(m.rows.front().line, "mpc." + name,
           "expected at least " + std::to_string(minColumns) + " columns, found " + std::to_string(columns));
    for (const Row& row : m.rows)
      if (row.fields.size() != columns)
        fail(row.line, "mpc." + name,
             "expected " + std::to_string(columns) + " columns like the first row, found " +
                 std::to_string(row.fields.size()));
    return m;
  }

  double number(const std::string& text, std::size_t line, const std::string& key) const {
    std::string_view s = text;
    bool negative = false;
    if (s.starts_with('-')) { negative = true; s.remove_prefix(1); }
    else if (s.starts_with('+')) s.remove_prefix(1);
    if (s == "Inf" || s == "inf") return negative ? -std::numeric_limits<double>::infinity()
                                                  : std::numeric_limits<double>::infinity();
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty())
      fail(line, key, "non-numeric field '" + text + "': expected a number");
    return negative ? -v : v;
  }

  double value(const Row& row, std::size_t column, const std::string& key) const {
    return number(row.fields[column], row.line, key + " column " + std::to_string(column + 1));
  }

  int integer(const Row& row, std::size_t column, const std::string& key, const std::string& field) const {
    const double v = value(row, column, key);
    if (v != std::floor(v) || std::abs(v) > 2e9)
      fail(row.line, key + " column " + std::to_string(column + 1) + " (" + field + ")",
           "expected an integer, found '" + row.fields[column] + "'");
    return static_cast<int>(v);
  }

  void requireBus(const std::unordered_set<int>& ids, int bus, std::size_t line, const std::string& key) const {
    if (!ids.count(bus)) fail(line, key, "refers to bus " + std::to_string(bus) + ", which is not in mpc.bus");
  }

  std::string_view text_;
  std::string source_;
  std::map<std::string, Matrix> matrices_;
  std::map<std::string, std::pair<std::string, std::size_t>> scalars_;
};

}  // namespace

PowerCase parseMatpowerCase(std::string_view text, const std::string& sourceName) {
  return CaseParser(text, sourceName).parse();
}

PowerCase readMatpowerCase(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open MATPOWER case file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parseMatpowerCase(buffer.str(), path.string());
}

}  // namespace citytwin::energy
