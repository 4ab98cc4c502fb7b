#pragma once

#include <sys/types.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace citytwin::testing {

// A `citytwin serve` child process on a port it chose itself (`--port 0`): tests never collide on ports.
// The port comes from the one line of JSON the service prints once it listens. Destroying the object
// stops the process (SIGTERM) and reaps it, so a failed check never leaves a service behind.
class ServiceProcess {
 public:
  // Runs `binary serve <arguments...> --port 0 --json`; null when it does not start or print its port.
  static std::unique_ptr<ServiceProcess> start(const std::string& binary,
                                               const std::vector<std::string>& arguments);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  // Sends `signal` and reaps the process; returns its wait status (the first one on later calls).
  int stop(int signal = SIGTERM);
  // Reaps a process that was signalled from elsewhere; returns its wait status.
  int wait();

 private:
  ServiceProcess(pid_t pid, int port) : pid_(pid), port_(port) {}
  pid_t pid_ = -1;
  int port_ = 0;
  bool reaped_ = false;
  int status_ = 0;
};

}  // namespace citytwin::testing
