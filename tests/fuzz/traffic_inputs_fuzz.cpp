// libFuzzer target for the traffic model's input files: TNTP networks and trip tables, SUMO networks and
// route files. The first byte picks the format, the rest is the file; each must end in a parsed value or a
// citytwin::Error naming the place — never another exception or a crash.
#include <cstddef>
#include <cstdint>

#include "citytwin/core/error.hpp"
#include "citytwin/traffic/sumo_io.hpp"
#include "citytwin/traffic/tntp.hpp"
#include "fuzz_input_file.hpp"

using namespace citytwin;

namespace {

// A two-zone TNTP network and a two-edge SUMO network, so trip and route files have something to name.
constexpr char kTntpNetwork[] =
    "<NUMBER OF ZONES> 2\n<NUMBER OF NODES> 2\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 2\n<END OF METADATA>\n"
    "~ init term cap len fft b power speed toll type ;\n"
    "1 2 1000 1 1 0.15 4 60 0 1 ;\n2 1 1000 1 1 0.15 4 60 0 1 ;\n";
constexpr char kSumoNetwork[] =
    "<net><edge id=\"a\" from=\"n1\" to=\"n2\"><lane id=\"a_0\" index=\"0\" speed=\"13.9\" length=\"100\"/></edge>"
    "<edge id=\"b\" from=\"n2\" to=\"n1\"><lane id=\"b_0\" index=\"0\" speed=\"13.9\" length=\"100\"/></edge>"
    "<junction id=\"n1\" x=\"0\" y=\"0\"/><junction id=\"n2\" x=\"100\" y=\"0\"/>"
    "<connection from=\"a\" to=\"b\" fromLane=\"0\" toLane=\"0\"/><connection from=\"b\" to=\"a\" fromLane=\"0\" toLane=\"0\"/></net>";

template <std::size_t N>
std::filesystem::path writeText(const char (&text)[N], const std::string& suffix) {
  return fuzzing::writeFuzzInput(reinterpret_cast<const std::uint8_t*>(text), N - 1, suffix);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t format = data[0] % 4;
  try {
    switch (format) {
      case 0: (void)traffic::readTntpNetwork(fuzzing::writeFuzzInput(data + 1, size - 1, "_net.tntp")); break;
      case 1: {
        const auto network = traffic::readTntpNetwork(writeText(kTntpNetwork, "_base_net.tntp"));
        (void)traffic::readTntpTrips(fuzzing::writeFuzzInput(data + 1, size - 1, "_trips.tntp"), network);
        break;
      }
      case 2: (void)traffic::readSumoNetwork(fuzzing::writeFuzzInput(data + 1, size - 1, ".net.xml")); break;
      default: {
        const auto network = traffic::readSumoNetwork(writeText(kSumoNetwork, "_base.net.xml"));
        (void)traffic::readSumoRoutes(fuzzing::writeFuzzInput(data + 1, size - 1, ".rou.xml"), network);
        break;
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
