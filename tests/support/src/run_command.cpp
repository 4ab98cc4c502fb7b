#include "citytwin/testing/run_command.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "citytwin/testing/shared_data.hpp"

namespace citytwin::testing {
namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv) {
  static int counter = 0;
  const std::string base = (scratchDirectory() / ("command-" + std::to_string(counter++))).string();
  const std::string outPath = base + ".out";
  const std::string errPath = base + ".err";
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    const int out = open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int in = open("/dev/null", O_RDONLY);
    dup2(out, STDOUT_FILENO);
    dup2(err, STDERR_FILENO);
    dup2(in, STDIN_FILENO);
    std::vector<char*> args;
    std::vector<std::string> copies = argv;
    for (auto& argument : copies) args.push_back(argument.data());
    args.push_back(nullptr);
    execvp(args[0], args.data());
    std::_Exit(127);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CommandResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.standardOutput = slurp(outPath);
  result.standardError = slurp(errPath);
  return result;
}

std::string citytwinBinary() {
  const char* path = std::getenv("CITYTWIN_BINARY");
  if (!path || !*path) throw std::runtime_error("CITYTWIN_BINARY is not set (run the test through ctest)");
  return path;
}

}  // namespace citytwin::testing
