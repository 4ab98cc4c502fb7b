#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "citytwin/scenario/branch_dealer.hpp"

namespace citytwin::scenario {

// The MPI world of a process that mpirun (OpenMPI) or srun started. Only such a process initialises MPI:
// a plain `citytwin run` never calls into it, so it behaves exactly as a build without MPI.
class MpiSession {
 public:
  // True when a launcher started this process: its environment names the world (OMPI_COMM_WORLD_SIZE from
  // mpirun, PMIX_RANK or PMI_SIZE from srun).
  static bool launched();

  MpiSession();   // initialises MPI (only the calling thread will call MPI)
  ~MpiSession();  // finalises it
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  void barrier() const;
  // Ends every rank of the run (mpirun reports it): the way out when one rank cannot go on.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  int size_ = 1;
};

// Deals a run's simulations to the ranks as they become free, the largest estimated cost first. Rank 0
// runs simulations too (in a thread of its own, while its calling thread deals and receives) and gets
// every result; the other ranks run what they are sent, one at a time (their models' loops use the rank's
// TBB threads), and return nothing. Waiting is by polling with short sleeps, so a rank waiting for work
// takes no core from the ranks computing on the same node.
class MpiBranchDealer final : public BranchDealer {
 public:
  explicit MpiBranchDealer(const MpiSession& session) : session_(session) {}

  const MpiSession& session() const { return session_; }
  bool recordsRun() const override { return session_.rank() == 0; }
  std::vector<BranchResult> deal(const std::vector<double>& costs,
                                 const std::function<BranchResult(std::size_t)>& run) override;

  // Bytes of results received by rank 0 in the last deal (the gather size), for the benchmark.
  std::size_t gatheredBytes() const { return gatheredBytes_; }
  // True once a deal has ended on this rank the way it ends on every rank (no rank left waiting in it).
  bool dealt() const { return dealt_; }

 private:
  const MpiSession& session_;
  std::size_t gatheredBytes_ = 0;
  bool dealt_ = false;
};

}  // namespace citytwin::scenario
