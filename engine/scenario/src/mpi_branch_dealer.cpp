#include "citytwin/scenario/mpi_branch_dealer.hpp"

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <numeric>
#include <span>
#include <thread>

#include "citytwin/core/error.hpp"

namespace citytwin::scenario {
namespace {

// Rank 0 -> worker: the index of the next simulation, or kNoMore.
constexpr int kTagJob = 1;
// Worker -> rank 0: the index of the simulation just run and its encoded result (index kNoMore and no
// result: the worker's first request).
constexpr int kTagResult = 2;
constexpr std::int64_t kNoMore = -1;
constexpr auto kPollInterval = std::chrono::microseconds(500);

void check(int code, const char* call) {
  if (code != MPI_SUCCESS)
    throw Error(std::string("MPI: ") + call + " failed (error " + std::to_string(code) + ")");
}

void sendResult(std::int64_t index, const std::vector<std::uint8_t>& result) {
  std::vector<std::uint8_t> message(sizeof index + result.size());
  std::memcpy(message.data(), &index, sizeof index);
  std::copy(result.begin(), result.end(), message.begin() + sizeof index);
  if (message.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw Error("MPI: the result of simulation " + std::to_string(index) + " is over 2 GiB");
  check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, kTagResult, MPI_COMM_WORLD),
        "MPI_Send");
}

std::int64_t receiveJob() {
  std::int64_t index = kNoMore;
  check(MPI_Recv(&index, 1, MPI_INT64_T, 0, kTagJob, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "MPI_Recv");
  return index;
}

}  // namespace

bool MpiSession::launched() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(variable) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession() {
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_FUNNELED)
    throw Error("MPI: this MPI library cannot be used from a threaded program");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
}

MpiSession::~MpiSession() {
  MPI_Finalize();
}

void MpiSession::barrier() const {
  check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
}

void MpiSession::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();
}

std::vector<BranchResult> MpiBranchDealer::deal(const std::vector<double>& costs,
                                                const std::function<BranchResult(std::size_t)>& run) {
  gatheredBytes_ = 0;
  dealt_ = false;
  if (session_.rank() != 0) {
    std::vector<std::uint8_t> result;
    sendResult(kNoMore, result);
    for (std::int64_t index = receiveJob(); index != kNoMore; index = receiveJob()) {
      result = encodeBranchResult(run(static_cast<std::size_t>(index)));
      sendResult(index, result);
    }
    dealt_ = true;
    return {};
  }

  const std::size_t count = costs.size();
  std::vector<std::size_t> order(count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  std::vector<BranchResult> results(count);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopDealing{false};
  // Hands out the next simulation in cost order, or count when there is none (or after a failure).
  const auto take = [&]() -> std::size_t {
    if (stopDealing.load()) return count;
    const std::size_t position = next.fetch_add(1);
    return position < count ? order[position] : count;
  };

  std::thread local([&] {
    for (std::size_t index = take(); index < count; index = take()) {
      results[index] = run(index);
      if (!results[index].failure.empty()) {
        results[index].failure = "rank 0: " + results[index].failure;
        stopDealing.store(true);
      }
    }
  });

  std::exception_ptr dealerFailure;
  try {
    int working = session_.size() - 1;
    std::vector<std::uint8_t> message;
    while (working > 0) {
      int arrived = 0;
      MPI_Status status;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
      if (arrived == 0) {
        std::this_thread::sleep_for(kPollInterval);
        continue;
      }
      int size = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &size), "MPI_Get_count");
      message.resize(static_cast<std::size_t>(size));
      check(MPI_Recv(message.data(), size, MPI_BYTE, status.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE),
            "MPI_Recv");
      gatheredBytes_ += message.size();
      std::int64_t index = kNoMore;
      if (message.size() < sizeof index)
        throw Error("MPI: a malformed message from rank " + std::to_string(status.MPI_SOURCE));
      std::memcpy(&index, message.data(), sizeof index);
      if (index != kNoMore) {
        if (index < 0 || static_cast<std::size_t>(index) >= count)
          throw Error("MPI: rank " + std::to_string(status.MPI_SOURCE) + " returned an unknown simulation");
        BranchResult& result = results[static_cast<std::size_t>(index)];
        result = decodeBranchResult(std::span<const std::uint8_t>(message).subspan(sizeof index));
        if (!result.failure.empty()) {
          result.failure = "rank " + std::to_string(status.MPI_SOURCE) + ": " + result.failure;
          stopDealing.store(true);
        }
      }
      const std::size_t job = take();
      const std::int64_t reply = job < count ? static_cast<std::int64_t>(job) : kNoMore;
      check(MPI_Send(&reply, 1, MPI_INT64_T, status.MPI_SOURCE, kTagJob, MPI_COMM_WORLD), "MPI_Send");
      if (reply == kNoMore) --working;
    }
  } catch (...) {
    dealerFailure = std::current_exception();
    stopDealing.store(true);
  }
  local.join();
  if (dealerFailure) std::rethrow_exception(dealerFailure);
  dealt_ = true;
  return results;
}

}  // namespace citytwin::scenario
