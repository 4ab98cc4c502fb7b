// The command line's conventions, as a script relies on them: exit codes (0 success, 1 failure, 2 usage,
// 130 interrupted), every error on one stderr line starting with "citytwin: error:", with --json also one
// JSON object on stdout, and a misspelt key named as itself.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "citytwin/testing/run_command.hpp"
#include "citytwin/testing/shared_data.hpp"

using citytwin::testing::citytwinBinary;
using citytwin::testing::runCommand;

namespace {

// The error is the last line on stderr (progress notes may come before it).
bool startsWithError(const std::string& text) {
  const std::size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return false;
  const std::size_t start = text.rfind('\n', end);
  return text.compare(start == std::string::npos ? 0 : start + 1, 17, "citytwin: error: ") == 0;
}

const char* kTinyScenario = R"toml(name = "tiny"
city = "city/town.gpkg"
generate = { size_km = 1, seed = 5 }
start = 2026-07-01T07:00:00Z
duration = "10m"
models = []
)toml";

}  // namespace

TEST_CASE("usage errors exit 2 with one error line") {
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"no-such-verb"}, {"run"}, {"run", "a.toml", "--no-such-option"}}) {
    std::vector<std::string> argv{citytwinBinary()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const auto result = runCommand(argv);
    INFO(result.standardError);
    CHECK(result.exitCode == 2);
    CHECK(startsWithError(result.standardError));
  }
  CHECK(runCommand({citytwinBinary(), "--help"}).exitCode == 0);
}

TEST_CASE("with --json an error is also one JSON object on stdout") {
  const auto result = runCommand({citytwinBinary(), "run", "/no/such.toml", "--json"});
  CHECK(result.exitCode == 1);
  CHECK(startsWithError(result.standardError));
  const nlohmann::json document = nlohmann::json::parse(result.standardOutput);
  CHECK(document["error"]["exit_code"] == 1);
  CHECK(document["error"]["message"].get<std::string>().find("/no/such.toml") != std::string::npos);

  const auto usage = runCommand({citytwinBinary(), "run", "--json"});
  CHECK(usage.exitCode == 2);
  CHECK(nlohmann::json::parse(usage.standardOutput)["error"]["kind"] == "usage");
}

TEST_CASE("a misspelt scenario key is named as itself, with the key it was probably meant to be") {
  std::string text = kTinyScenario;
  text.replace(text.find("duration"), 8, "duraton");
  const auto scenario = citytwin::testing::writeScratchScenario("misspelt", text);
  const auto result = runCommand({citytwinBinary(), "run", scenario.string(), "--json"});
  CHECK(result.exitCode == 1);
  const nlohmann::json error = nlohmann::json::parse(result.standardOutput)["error"];
  CHECK(error["key"] == "duraton");
  CHECK(error["line"] == 5);
  CHECK(error["message"].get<std::string>().find("did you mean 'duration'") != std::string::npos);
}

TEST_CASE("an output folder that cannot be created is a plain error, and a failed check leaves no folder") {
  const auto scenario = citytwin::testing::writeScratchScenario("tiny", kTinyScenario);
  const auto result = runCommand({citytwinBinary(), "run", scenario.string(), "--out", "/proc/citytwin-out"});
  INFO(result.standardError);
  CHECK(result.exitCode == 1);
  CHECK(startsWithError(result.standardError));
  CHECK(result.standardError.find("internal") == std::string::npos);

  std::string text = kTinyScenario;
  text.replace(text.find("models = []"), 11, "models = [\"no_such_model\"]");
  const auto bad = citytwin::testing::writeScratchScenario("bad-model", text);
  const auto out = citytwin::testing::scratchDirectory() / "bad-model-out";
  CHECK(runCommand({citytwinBinary(), "run", bad.string(), "--out", out.string()}).exitCode == 1);
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("an interrupted run exits 130 and says where the partial run is") {
  std::string text = kTinyScenario;
  text.replace(text.find("duration = \"10m\""), 16, "duration = \"30d\"");
  text.replace(text.find("models = []"), 11, "models = [\"flood\"]\n[flood]\nrain_mm_per_h = 1.0");
  const auto scenario = citytwin::testing::writeScratchScenario("long", text);
  const auto out = citytwin::testing::scratchDirectory() / "long-out";
  const std::string binary = citytwinBinary();
  const std::string scenarioPath = scenario.string(), outPath = out.string();
  const std::string errorPath = (citytwin::testing::scratchDirectory() / "long-stderr.txt").string();
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (std::freopen(errorPath.c_str(), "w", stderr) == nullptr) _exit(127);
    execl(binary.c_str(), binary.c_str(), "run", scenarioPath.c_str(), "--out", outPath.c_str(), "--json",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Interrupt once the run has started (its database exists); the 30 simulated days take far longer.
  for (int i = 0; i < 1200 && !std::filesystem::exists(out / "run.sqlite"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(child, SIGINT);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  std::ifstream in(errorPath);
  const std::string error((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(error);
  CHECK(startsWithError(error));
  CHECK(error.find("interrupted") != std::string::npos);
  CHECK(error.find((out / "run.sqlite").string()) != std::string::npos);
}
