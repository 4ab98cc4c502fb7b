// The MATPOWER reader on small inline cases: values, transformers, and errors that name the line.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "citytwin/core/error.hpp"
#include "citytwin/energy/matpower_case.hpp"
#include "citytwin/energy/power_flow_study.hpp"

using namespace citytwin::energy;

namespace {

// Two buses joined by a line: a slack at 1.0 p.u. feeding 50 MW + 20 Mvar.
const char* kTwoBus = R"(function mpc = twobus
mpc.version = '2';
mpc.baseMVA = 100;
%% bus data
mpc.bus = [
	1	3	0	0	0	0	1	1	0	10	1	1.1	0.9;
	2	1	50	20	0	0	1	1	0	10	1	1.1	0.9;
];
mpc.gen = [
	1	0	0	300	-300	1	100	1	250	10;
];
mpc.branch = [
	1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;
];
mpc.bus_name = {
	'Bus % one';
	'Bus two';
};
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string errorOf(const std::string& text) {
  try {
    (void)parseMatpowerCase(text, "bad.m");
  } catch (const citytwin::InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("reads buses, generators and branches") {
  const PowerCase pc = parseMatpowerCase(kTwoBus, "twobus.m");
  CHECK(pc.baseMva == 100);
  REQUIRE(pc.buses.size() == 2);
  CHECK(pc.buses[1].pdMw == 50);
  CHECK(pc.buses[0].type == BusType::Reference);
  REQUIRE(pc.generators.size() == 1);
  REQUIRE(pc.branches.size() == 1);
  CHECK(pc.branches[0].x == doctest::Approx(0.1));
  CHECK(pc.branches[0].line == 13);
}

TEST_CASE("a two-bus power flow balances power") {
  const PowerCase pc = parseMatpowerCase(kTwoBus, "twobus.m");
  const CaseSolution sol = solveCase(pc);
  REQUIRE(sol.outcome.converged);
  // Check the load bus: S = V conj(I) with I = (V2 - V1)/z must equal -(0.5 + j0.2).
  const Complex v1 = std::polar(sol.vm[0], sol.vaDeg[0] * M_PI / 180);
  const Complex v2 = std::polar(sol.vm[1], sol.vaDeg[1] * M_PI / 180);
  const Complex s2 = v2 * std::conj((v2 - v1) / Complex(0.01, 0.1));
  CHECK(s2.real() == doctest::Approx(-0.5).epsilon(1e-7));
  CHECK(s2.imag() == doctest::Approx(-0.2).epsilon(1e-7));
  // Losses = |I|^2 r.
  const double i2 = std::norm((v1 - v2) / Complex(0.01, 0.1));
  CHECK(sol.lossesMw == doctest::Approx(i2 * 0.01 * 100).epsilon(1e-9));
  CHECK(sol.vm[1] < 1.0);
}

TEST_CASE("a phase-shifting transformer moves the angle") {
  std::string text = replaced(kTwoBus, "1	2	0.01	0.1	0	0	0	0	0	0	1", "1	2	0.01	0.1	0	0	0	0	1.05	30	1");
  text = replaced(text, "2	1	50	20", "2	1	0	0");
  const CaseSolution sol = solveCase(parseMatpowerCase(text, "shift.m"));
  REQUIRE(sol.outcome.converged);
  // With no load the to-bus sits at V_from / tap: magnitude 1/1.05, angle -30 degrees.
  CHECK(sol.vm[1] == doctest::Approx(1.0 / 1.05).epsilon(1e-9));
  CHECK(sol.vaDeg[1] == doctest::Approx(-30.0).epsilon(1e-9));
}

TEST_CASE("malformed cases name the line and the problem") {
  CHECK(errorOf(replaced(kTwoBus, "mpc.gen = [", "mpc.generators = [")).find("missing section") != std::string::npos);
  CHECK(errorOf(replaced(kTwoBus, "mpc.gen = [", "mpc.generators = [")).find("mpc.gen") != std::string::npos);
  const std::string columns = errorOf(replaced(kTwoBus, "2	1	50	20	0	0	1	1	0	10	1	1.1	0.9;", "2	1	50	20	0	0	1	1	0	10	1	1.1;"));
  CHECK(columns.find("bad.m:7") != std::string::npos);
  CHECK(columns.find("columns") != std::string::npos);
  const std::string absent = errorOf(replaced(kTwoBus, "1	2	0.01", "1	7	0.01"));
  CHECK(absent.find("bad.m:13") != std::string::npos);
  CHECK(absent.find("bus 7") != std::string::npos);
  const std::string text = errorOf(replaced(kTwoBus, "2	1	50	20", "2	1	5O	20"));
  CHECK(text.find("bad.m:7") != std::string::npos);
  CHECK(text.find("non-numeric") != std::string::npos);
  CHECK(errorOf(replaced(kTwoBus, "mpc.baseMVA = 100;", "")).find("baseMVA") != std::string::npos);
}

TEST_CASE("every kind of malformed case names the file, the line and the section") {
  const auto expect = [](const std::string& message, std::initializer_list<const char*> parts) {
    INFO(message);
    REQUIRE_FALSE(message.empty());
    for (const char* part : parts) CHECK(message.find(part) != std::string::npos);
  };
  const std::string genRow = "1	0	0	300	-300	1	100	1	250	10;";
  // Missing sections: the whole file is named (no line to point at).
  expect(errorOf(replaced(kTwoBus, "mpc.bus = [", "mpc.buses = [")), {"bad.m", "mpc.bus", "missing section"});
  expect(errorOf(replaced(kTwoBus, "mpc.branch = [", "mpc.lines = [")),
         {"bad.m", "mpc.branch", "missing section"});
  expect(errorOf(replaced(kTwoBus, genRow, "")), {"bad.m:9", "mpc.gen", "no rows"});
  // Column counts: too few for the format in the first row, or a row unlike the first.
  expect(errorOf(replaced(
             kTwoBus,
             "1	3	0	0	0	0	1	1	0	10	1	1.1	0.9;",
             "1	3	0	0	0	0	1	1	0	10	1	1.1;")),
         {"bad.m:6", "mpc.bus", "at least 13 columns, found 12"});
  expect(errorOf(replaced(kTwoBus, genRow,
                          "1	0	0	300	-300	1	100	1	250;")),
         {"bad.m:10", "mpc.gen", "at least 10"});
  expect(errorOf(replaced(
             kTwoBus,
             "1	2	0.01	0.1	0	0	0	0	0	0	1	-360	360;",
             "1	2	0.01	0.1	0	0	0	0	0	0	1	-360	"
             "360;\n	2	1	0.01	0.1	0	0	0	0	0	0	1;")),
         {"bad.m:14", "mpc.branch", "expected 13 columns like the first row, found 11"});
  // Buses referenced but absent, from a generator and from a branch's to end.
  expect(errorOf(replaced(kTwoBus, genRow,
                          "9	0	0	300	-300	1	100	1	250	10;")),
         {"bad.m:10", "mpc.gen", "bus 9"});
  expect(errorOf(replaced(kTwoBus, "1	2	0.01", "1	8	0.01")),
         {"bad.m:13", "mpc.branch", "bus 8", "not in mpc.bus"});
  // Non-numeric and non-integer fields, with the column.
  expect(errorOf(replaced(kTwoBus, "1	2	0.01	0.1", "1	2	0.01	x0.1")),
         {"bad.m:13", "mpc.branch column 4", "'x0.1'"});
  expect(errorOf(replaced(kTwoBus, "mpc.baseMVA = 100;", "mpc.baseMVA = hundred;")),
         {"bad.m:3", "mpc.baseMVA", "hundred"});
  expect(errorOf(replaced(kTwoBus, "2	1	50	20", "2.5	1	50	20")),
         {"bad.m:7", "BUS_I", "expected an integer"});
  // Values the format forbids.
  expect(errorOf(replaced(kTwoBus, "1	3	0	0", "1	5	0	0")),
         {"bad.m:6", "BUS_TYPE"});
  expect(errorOf(replaced(kTwoBus, "2	1	50	20", "1	1	50	20")),
         {"bad.m:7", "bus 1 defined twice"});
  expect(errorOf(replaced(kTwoBus, "1	2	0.01	0.1", "1	2	0	0")),
         {"bad.m:13", "zero impedance"});
  expect(errorOf(replaced(kTwoBus, "mpc.baseMVA = 100;", "mpc.baseMVA = 0;")), {"bad.m:3", "positive"});
  // A matrix left open at the end of the file; a section given twice.
  const std::string text = kTwoBus;
  expect(errorOf(text.substr(0, text.find("mpc.branch = [")) +
                 "mpc.branch = [\n	1	2	0.01	0.1	0	0	0	0	"
                 "0	0	1	-360	360;\n"),
         {"bad.m:12", "mpc.branch", "not closed"});
  expect(errorOf(text + "mpc.gen = [\n" + genRow + "\n];\n"), {"bad.m:", "mpc.gen", "defined twice"});
  CHECK_THROWS_WITH_AS((void)readMatpowerCase("/nonexistent/case.m"),
                       doctest::Contains("/nonexistent/case.m"), citytwin::Error);
}
