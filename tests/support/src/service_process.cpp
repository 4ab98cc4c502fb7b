#include "citytwin/testing/service_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace citytwin::testing {

std::unique_ptr<ServiceProcess> ServiceProcess::start(const std::string& binary,
                                                      const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{binary, "serve"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  for (const char* extra : {"--port", "0", "--json"}) argv.emplace_back(extra);
  std::vector<char*> pointers;
  for (std::string& argument : argv) pointers.push_back(argument.data());
  pointers.push_back(nullptr);

  int pipeFds[2];
  if (pipe(pipeFds) != 0) return nullptr;
  const pid_t pid = fork();
  if (pid < 0) {
    close(pipeFds[0]);
    close(pipeFds[1]);
    return nullptr;
  }
  if (pid == 0) {
    dup2(pipeFds[1], STDOUT_FILENO);
    close(pipeFds[0]);
    close(pipeFds[1]);
    execv(binary.c_str(), pointers.data());
    _exit(127);
  }
  close(pipeFds[1]);
  std::string line;
  char c = 0;
  while (read(pipeFds[0], &c, 1) == 1 && c != '\n') line += c;
  close(pipeFds[0]);
  const auto started = nlohmann::json::parse(line, nullptr, false);
  if (!started.is_object() || !started.contains("port") || !started["port"].is_number_integer()) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return nullptr;
  }
  return std::unique_ptr<ServiceProcess>(new ServiceProcess(pid, started["port"].get<int>()));
}

ServiceProcess::~ServiceProcess() {
  stop();
}

int ServiceProcess::stop(int signal) {
  if (!reaped_) kill(pid_, signal);
  return wait();
}

int ServiceProcess::wait() {
  if (!reaped_) {
    waitpid(pid_, &status_, 0);
    reaped_ = true;
  }
  return status_;
}

}  // namespace citytwin::testing
