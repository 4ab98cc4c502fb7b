// citytwin report: one self-contained HTML page (and optionally a PDF) of a run folder's results.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "citytwin/core/atomic_output.hpp"
#include "citytwin/core/error.hpp"
#include "citytwin/io/city_file.hpp"
#include "command_registry.hpp"
#include "json_output.hpp"
#include "report/html_report.hpp"
#include "report/run_report_data.hpp"

namespace citytwin::cli {
namespace {

struct ReportArguments {
  std::filesystem::path run;
  std::filesystem::path out;
  std::filesystem::path pdf;
  std::filesystem::path cityOverride;
  bool noMaps = false;
  bool json = false;
};

// Prints `html` to `pdf` with headless Chromium (Debian's `chromium`); the PDF appears only when complete.
void printPdf(const std::filesystem::path& html, const std::filesystem::path& pdf) {
  AtomicOutput output(pdf);
  const std::string target = "--print-to-pdf=" + output.temporaryPath().string();
  const std::string page = "file://" + std::filesystem::absolute(html).string();
  std::vector<std::string> arguments{"chromium", "--headless", "--disable-gpu", "--no-pdf-header-footer",
                                     target,     page};
  // Chromium's sandbox refuses to start as root (containers, CI); the page is our own file.
  if (::geteuid() == 0) arguments.insert(arguments.begin() + 1, "--no-sandbox");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw Error("--pdf: cannot start chromium");
  if (child == 0) {
    // Chromium's own chatter is not ours to show.
    if (std::FILE* quiet = std::freopen("/dev/null", "w", stderr)) (void)quiet;
    if (std::FILE* quiet = std::freopen("/dev/null", "w", stdout)) (void)quiet;
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    throw Error("--pdf needs headless Chromium: install the Debian package chromium (tools/setup.sh does)");
  std::error_code ignored;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
      std::filesystem::file_size(output.temporaryPath(), ignored) == 0 || ignored)
    throw Error("--pdf: chromium could not print " + html.string() + " to " + pdf.string());
  output.commit();
}

void writeReport(const ReportArguments& arguments) {
  if (arguments.out.extension() != ".html" && arguments.out.extension() != ".htm")
    throw Error("--out " + arguments.out.string() + ": the report is HTML; name it *.html");
  requireWritableOutput(arguments.out);
  if (!arguments.pdf.empty()) requireWritableOutput(arguments.pdf);
  const report::RunReportData data = report::loadRunReport(arguments.run);
  const std::filesystem::path cityFile = arguments.cityOverride.empty() ? data.city : arguments.cityOverride;
  if (cityFile.empty())
    throw Error(arguments.run.string() + ": the run database names no city file; pass --city CITY.gpkg");
  if (!std::filesystem::exists(cityFile))
    throw Error("city file " + cityFile.string() + " of the run does not exist" +
                (cityFile.is_relative()
                     ? " here (the run recorded it relative to the folder it was started in)"
                     : std::string()) +
                "; pass --city CITY.gpkg");
  const city::CityModel city = io::loadCity(cityFile);

  report::ReportOptions options;
  options.maps = !arguments.noMaps;
  const std::string html = report::buildReportHtml(data, city, options);
  {
    AtomicOutput output(arguments.out);
    std::ofstream file(output.temporaryPath(), std::ios::binary);
    file << html;
    if (!file.flush()) throw Error(arguments.out.string() + ": write failed");
    file.close();
    output.commit();
  }
  if (!arguments.pdf.empty()) printPdf(arguments.out, arguments.pdf);
  if (arguments.json) {
    nlohmann::json document = {{"report", arguments.out.string()},
                               {"bytes", html.size()},
                               {"run", data.run.id},
                               {"scenario", data.run.scenarioName},
                               {"variants", data.variants.size()}};
    if (!arguments.pdf.empty()) document["pdf"] = arguments.pdf.string();
    printJson(document);
  } else {
    std::fprintf(stderr, "wrote %s (%zu KB, run %lld of %s, %zu variants)%s\n",
                 arguments.out.string().c_str(), html.size() / 1024, static_cast<long long>(data.run.id),
                 data.run.scenarioName.c_str(), data.variants.size(),
                 arguments.pdf.empty() ? "" : (" and " + arguments.pdf.string()).c_str());
  }
}

void registerReportCommand(CommandTree& tree) {
  auto arguments = std::make_shared<ReportArguments>();
  CLI::App* report = tree.root.add_subcommand(
      "report",
      "Write one self-contained HTML report of a run: KPIs, charts over time, maps at the worst moments");
  report->add_option("run", arguments->run, "Run folder (the --out of citytwin run)")->required();
  report->add_option("--out", arguments->out, "HTML file to write")->required();
  report->add_option("--pdf", arguments->pdf, "Also print the report to this PDF (needs headless chromium)");
  report->add_option("--city", arguments->cityOverride, "City file, when the run's one has moved");
  report->add_flag("--no-maps", arguments->noMaps, "Leave out the map images (they need an X display)");
  addJsonFlag(*report, arguments->json);
  report->callback([arguments] { writeReport(*arguments); });
}

const CommandGroupRegistrar registrar(62, registerReportCommand);

}  // namespace
}  // namespace citytwin::cli
