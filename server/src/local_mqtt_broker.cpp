#include "citytwin/server/local_mqtt_broker.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

#include "citytwin/core/error.hpp"

namespace citytwin::server {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

// A port that was free a moment ago (the kernel's choice for a socket bound to port 0).
int freePort() {
  const int socketFd = socket(AF_INET, SOCK_STREAM, 0);
  if (socketFd < 0) throw Error("local MQTT broker: cannot open a socket");
  sockaddr_in address = loopback(0);
  socklen_t length = sizeof address;
  if (bind(socketFd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(socketFd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(socketFd);
    throw Error("local MQTT broker: cannot find a free port");
  }
  close(socketFd);
  return ntohs(address.sin_port);
}

bool accepts(int port) {
  const int socketFd = socket(AF_INET, SOCK_STREAM, 0);
  if (socketFd < 0) return false;
  const sockaddr_in address = loopback(port);
  const bool connected = connect(socketFd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  close(socketFd);
  return connected;
}

std::string tail(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  return all.size() > 600 ? all.substr(all.size() - 600) : all;
}

}  // namespace

std::optional<std::filesystem::path> LocalMqttBroker::binary() {
  if (const char* given = std::getenv("CITYTWIN_MOSQUITTO"); given && *given) {
    if (std::filesystem::exists(given)) return std::filesystem::path(given);
    return std::nullopt;
  }
  const std::filesystem::path installed = "/usr/sbin/mosquitto";
  if (std::filesystem::exists(installed)) return installed;
  return std::nullopt;
}

LocalMqttBroker::LocalMqttBroker(const std::filesystem::path& binary) {
  std::random_device random;
  directory_ = std::filesystem::temp_directory_path() / ("citytwin-mosquitto-" + std::to_string(random()));
  std::filesystem::create_directories(directory_);
  const auto config = directory_ / "mosquitto.conf";
  const auto log = directory_ / "mosquitto.log";
  // mosquitto started as root changes to the user named in its configuration: keep the caller's.
  const passwd* user = getpwuid(geteuid());
  // The free port may be taken between our look and the broker's bind: a few tries.
  for (int attempt = 0; attempt < 3 && pid_ < 0; ++attempt) {
    port_ = freePort();
    {
      std::ofstream out(config);
      out << "listener " << port_ << " 127.0.0.1\n"
          << "allow_anonymous true\npersistence false\n"
          << "log_dest file " << log.string() << "\n";
      if (user) out << "user " << user->pw_name << "\n";
    }
    const pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      // Its own warnings (before the configuration is read) go to the log too, not to the caller's output.
      const int logFd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (logFd >= 0) {
        dup2(logFd, STDOUT_FILENO);
        dup2(logFd, STDERR_FILENO);
      }
      execl(binary.c_str(), binary.c_str(), "-c", config.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    bool exited = false;
    while (Clock::now() < deadline) {
      if (waitpid(pid, nullptr, WNOHANG) == pid) {
        exited = true;
        break;
      }
      if (accepts(port_)) {
        pid_ = pid;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ < 0 && !exited) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  if (pid_ < 0) {
    const std::string message = tail(log);
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
    throw Error("local MQTT broker: " + binary.string() + " did not start: " + message);
  }
}

void LocalMqttBroker::stop() {
  if (pid_ < 0) return;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (waitpid(pid_, nullptr, WNOHANG) != pid_) {
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = -1;
}

LocalMqttBroker::~LocalMqttBroker() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

}  // namespace citytwin::server
