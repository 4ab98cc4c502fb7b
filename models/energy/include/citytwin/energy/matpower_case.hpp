#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace citytwin::energy {

// MATPOWER bus types (BUS_TYPE column).
enum class BusType : int { PQ = 1, PV = 2, Reference = 3, Isolated = 4 };

// One row of mpc.bus (MATPOWER format version 2; columns after VMIN are ignored).
struct CaseBus {
  int id = 0;
  BusType type = BusType::PQ;
  double pdMw = 0, qdMvar = 0;   // demand
  double gsMw = 0, bsMvar = 0;   // shunt at V = 1 p.u.
  double vm = 1, vaDeg = 0;      // stored voltage (starting point of the power flow)
  double baseKv = 0;
  std::size_t line = 0;          // source line, for messages
};

// One row of mpc.gen.
struct CaseGenerator {
  int bus = 0;
  double pgMw = 0, qgMvar = 0;
  double vgSetpoint = 1;
  bool inService = true;
  std::size_t line = 0;
};

// One row of mpc.branch; ratio 0 means a line (no transformer).
struct CaseBranch {
  int from = 0, to = 0;
  double r = 0, x = 0, b = 0;    // p.u. on baseMVA
  double rateAMva = 0;
  double ratio = 0, shiftDeg = 0;
  bool inService = true;
  std::size_t line = 0;
};

struct PowerCase {
  std::string source;            // file name, for messages
  double baseMva = 100;
  std::vector<CaseBus> buses;
  std::vector<CaseGenerator> generators;
  std::vector<CaseBranch> branches;
};

// Reads a MATPOWER case file (.m, format version 2). Throws InputError naming file, line and section for a
// missing section, a row with the wrong number of columns, a non-numeric field or a bus that is referenced
// by a generator or branch but not defined.
PowerCase readMatpowerCase(const std::filesystem::path& path);
PowerCase parseMatpowerCase(std::string_view text, const std::string& sourceName);

}  // namespace citytwin::energy
