#include "child_process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>

#include "citytwin/core/error.hpp"

namespace citytwin::cli {

ChildUsage runSelf(const std::vector<std::string>& arguments) {
  return runProgram("/proc/self/exe", arguments);
}

ChildUsage runProgram(const std::string& program, const std::vector<std::string>& arguments) {
  int pipeEnds[2];
  if (pipe(pipeEnds) != 0) throw Error("cannot create a pipe for a benchmark child");
  const auto start = std::chrono::steady_clock::now();
  const pid_t child = fork();
  if (child < 0) throw Error("cannot start a benchmark child process");
  if (child == 0) {
    dup2(pipeEnds[1], STDOUT_FILENO);
    close(pipeEnds[0]);
    close(pipeEnds[1]);
    std::vector<char*> argv;
    std::string name = program;
    argv.push_back(name.data());
    std::vector<std::string> copies = arguments;
    for (auto& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);
    execvp(name.c_str(), argv.data());
    std::_Exit(127);
  }
  close(pipeEnds[1]);
  ChildUsage usage;
  std::array<char, 4096> buffer{};
  ssize_t got = 0;
  while ((got = read(pipeEnds[0], buffer.data(), buffer.size())) > 0)
    usage.standardOutput.append(buffer.data(), got);
  close(pipeEnds[0]);
  int status = 0;
  rusage resources{};
  if (wait4(child, &status, 0, &resources) < 0) throw Error("lost a benchmark child process");
  usage.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  usage.peakResidentMiB = static_cast<double>(resources.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  usage.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return usage;
}

}  // namespace citytwin::cli
