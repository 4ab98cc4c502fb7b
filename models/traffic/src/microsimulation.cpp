#include "citytwin/traffic/microsimulation.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <queue>
#include <type_traits>

#include "citytwin/core/byte_buffer.hpp"
#include "citytwin/core/error.hpp"

namespace citytwin::traffic {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

Microsimulation::Microsimulation(MicroNetwork network, std::vector<VehicleType> types,
                                 MicrosimulationOptions options)
    : network_(std::move(network)), types_(std::move(types)), options_(options) {
  if (types_.empty()) types_.emplace_back();
  if (!(options_.timeStep > 0.0)) throw Error("traffic: the time step must be positive");
  counters_.assign(network_.links.size(), {});
  totals_.assign(network_.links.size(), {});
  rebuildLanes();
}

void Microsimulation::rebuildLanes() {
  laneStart_.assign(network_.links.size() + 1, 0);
  for (std::size_t l = 0; l < network_.links.size(); ++l)
    laneStart_[l + 1] = laneStart_[l] + std::max(1, network_.links[l].lanes);
  laneLink_.resize(static_cast<std::size_t>(laneStart_.back()));
  for (std::size_t l = 0; l < network_.links.size(); ++l)
    for (int k = laneStart_[l]; k < laneStart_[l + 1]; ++k) laneLink_[k] = static_cast<std::int32_t>(l);
  lanes_.assign(laneLink_.size(), {});
  listed_.assign(laneLink_.size(), 0);
  occupied_.clear();
  newlyOccupied_.clear();
}

void Microsimulation::markOccupied(int lane) {
  if (listed_[lane]) return;
  listed_[lane] = 1;
  newlyOccupied_.push_back(lane);
}

void Microsimulation::refreshOccupied() {
  std::size_t kept = 0;
  for (const std::int32_t lane : occupied_) {
    if (lanes_[lane].empty())
      listed_[lane] = 0;
    else
      occupied_[kept++] = lane;
  }
  occupied_.resize(kept);
  if (newlyOccupied_.empty()) return;
  std::sort(newlyOccupied_.begin(), newlyOccupied_.end());
  const auto middle = static_cast<std::ptrdiff_t>(occupied_.size());
  for (const std::int32_t lane : newlyOccupied_) {
    if (lanes_[lane].empty())
      listed_[lane] = 0;
    else
      occupied_.push_back(lane);
  }
  std::inplace_merge(occupied_.begin(), occupied_.begin() + middle, occupied_.end());
  newlyOccupied_.clear();
}

void Microsimulation::addTrip(TripRequest trip) {
  if (trip.route.empty()) throw Error("trip '" + trip.id + "' has an empty route");
  if (trip.type < 0 || trip.type >= static_cast<int>(types_.size()))
    throw Error("trip '" + trip.id + "' has an unknown vehicle type");
  double length = 0.0, freeFlow = 0.0;
  for (std::size_t i = 0; i < trip.route.size(); ++i) {
    const std::int32_t link = trip.route[i];
    if (link < 0 || link >= static_cast<std::int32_t>(network_.links.size()))
      throw Error("trip '" + trip.id + "' uses an unknown link");
    if (i > 0 && !network_.movement(trip.route[i - 1], link))
      throw Error("trip '" + trip.id + "': no connection from '" + network_.links[trip.route[i - 1]].id +
                  "' to '" + network_.links[link].id + "'");
    length += network_.links[link].lengthM;
    freeFlow += freeFlowSeconds(link);
  }
  TripRecord record;
  record.id = std::move(trip.id);
  record.requestedDepartS = trip.departS;
  record.routeLengthM = length;
  record.freeFlowS = freeFlow;
  const auto index = static_cast<std::int32_t>(records_.size());
  records_.push_back(std::move(record));
  routes_.push_back(std::move(trip.route));
  tripType_.push_back(trip.type);
  if (pendingHead_ < pending_.size() && records_[pending_.back()].requestedDepartS > trip.departS)
    pendingSorted_ = false;
  pending_.push_back(index);
}

std::size_t Microsimulation::pendingCount() const {
  return pending_.size() - pendingHead_ + waiting_.size();
}

double Microsimulation::roomAtEntry(int lane) const {
  const auto& queue = lanes_[lane];
  if (queue.empty()) return kInf;
  const Vehicle& tail = vehicles_[queue.back()];
  return tail.position - typeOf(tail).idm.length;
}

int Microsimulation::entryLane(std::int32_t link, std::int32_t after, std::uint32_t arrival) const {
  const Movement* movement = after >= 0 ? network_.movement(link, after) : nullptr;
  const int lanes = laneStart_[link + 1] - laneStart_[link];
  const std::uint32_t all = lanes < 32 ? (1u << lanes) - 1u : 0xFFFFFFFFu;
  if ((arrival & all) == 0) arrival = all;  // none given: any lane
  // Prefer the lanes it arrives in that also lead on; where none does it changes lanes later.
  std::uint32_t allowed = arrival & (movement ? movement->fromLanes : 0xFFFFFFFFu);
  if ((allowed & all) == 0) allowed = arrival;
  int best = -1;
  double bestRoom = -kInf;
  for (int k = 0; k < lanes; ++k) {
    if (k < 32 && !((allowed >> k) & 1u)) continue;
    const double room = roomAtEntry(laneStart_[link] + k);
    if (best < 0 || room > bestRoom) {
      best = laneStart_[link] + k;
      bestRoom = room;
    }
  }
  return best;
}

bool Microsimulation::laneAllowsNext(const Vehicle& v, int lane) const {
  const Movement* movement = nextMovement(v);  // lanes of one link: the vehicle's own
  const int k = lane - laneStart_[laneLink_[lane]];
  return !movement || k >= 32 || ((movement->fromLanes >> k) & 1u) != 0;
}

void Microsimulation::followRoute(Vehicle& v) const {
  auto indexOf = [&](std::int32_t from, std::int32_t to) {
    const Movement* m = from >= 0 && to >= 0 ? network_.movement(from, to) : nullptr;
    return m ? static_cast<std::int32_t>(m - network_.movements.data()) : -1;
  };
  v.nextMovement = indexOf(routeLink(v, 0), routeLink(v, 1));
  v.enteredBy = indexOf(routeLink(v, -1), routeLink(v, 0));
}

char Microsimulation::signalState(const Movement& m) const {
  return m.signal < 0 ? 'O' : network_.signals[m.signal].state(signalPhase_[m.signal], m.signalIndex);
}

bool Microsimulation::foeCanGo(const Movement& foe) const {
  const char state = signalState(foe);
  return state != 'r' && state != 'R' && state != 'u';
}

bool Microsimulation::mustGiveWay(const Movement& m, double patience) const {
  const auto foes = network_.foes(m);
  if (foes.empty()) return false;
  if (m.signal >= 0) {
    const char state = signalState(m);
    if (state != 'g' && state != 'o' && state != 's')
      return false;  // major green, amber or red: no foes to watch
  } else if (m.major) {
    return false;
  }
  const double horizon = options_.yieldHorizonS * patience;
  for (const std::int32_t f : foes) {
    const Movement& foe = network_.movements[f];
    if (!foeCanGo(foe)) continue;
    // A foe whose exit has no room cannot enter the junction: it is not waited for (as SUMO's vehicles
    // announce their approach only when they can leave the junction). Otherwise a foe queue held by its
    // own exit would hold the minor approach for good, and the two queues can lock each other.
    if (network_.links[foe.toLink].closed) continue;
    // Only at unsignalised junctions: at a signal the cycle clears the foe's queue (and SUMO networks
    // keep their own junction logic).
    const bool exitFull = m.signal < 0 && !exitHasRoom(foe);
    // A foe in the junction: vehicles crossing onto its exit (negative positions, at the tail of the lanes).
    for (int lane = laneStart_[foe.toLink]; lane < laneStart_[foe.toLink + 1]; ++lane) {
      const auto& queue = lanes_[lane];
      for (auto it = queue.rbegin(); it != queue.rend() && vehicles_[*it].position < 0.0; ++it)
        if (vehicles_[*it].enteredBy == f) return true;
    }
    // A foe arriving within the horizon (or standing at its stop line, about to go).
    const MicroLink& approach = network_.links[foe.fromLink];
    const double reach = std::max(approach.speedLimit, 1.0) * horizon + 2.0;
    for (int lane = laneStart_[foe.fromLink]; lane < laneStart_[foe.fromLink + 1]; ++lane)
      for (const std::int32_t id : lanes_[lane]) {
        const Vehicle& other = vehicles_[id];
        const double distance = approach.lengthM - other.position;
        if (distance > reach) break;
        if (other.nextMovement != f || exitFull || !(horizon > 0.0)) continue;
        if (distance < 2.0 || distance / std::max(other.speed, 1.0) < horizon) return true;
      }
  }
  return false;
}

bool Microsimulation::exitHasRoom(const Movement& m) const {
  const int lanes = laneStart_[m.toLink + 1] - laneStart_[m.toLink];
  const IdmParameters& idm = types_.front().idm;
  for (int k = 0; k < lanes; ++k) {
    if (!(m.toLanes >> k & 1u)) continue;
    const int lane = laneStart_[m.toLink] + k;
    if (roomAtEntry(lane) >= idm.length + idm.minimumGap) return true;
    if (vehicles_[lanes_[lane].back()].speed >= 1.0) return true;  // the queue there is moving: room comes
  }
  return false;
}

bool Microsimulation::mayEnter(const Vehicle& v, double remaining) const {
  const Movement* movement = nextMovement(v);
  if (!movement || network_.links[movement->toLink].closed) return false;
  // A movement with a waiting place inside the junction gives way there, not at the stop line.
  const bool givesWayHere = movement->waitM <= 0.0 && remaining <= options_.yieldDistanceM;
  double patience = 1.0;
  if (options_.timeToImpatienceS > 0.0 && v.stoppedSinceS >= 0.0)
    patience = std::max(0.0, 1.0 - (time_ - v.stoppedSinceS) / options_.timeToImpatienceS);
  if (movement->signal >= 0) {
    switch (signalState(*movement)) {
      case 'G':
      case 'O':
        return true;
      case 'g':
      case 'o':
      case 's':
        return !givesWayHere || !mustGiveWay(*movement, patience);
      case 'y':
      case 'Y': {
        const double brake = typeOf(v).idm.comfortableDeceleration;
        return remaining < v.speed * v.speed / (2.0 * brake);  // too close to stop comfortably
      }
      default:
        return false;
    }
  }
  return !givesWayHere || !mustGiveWay(*movement, patience);
}

double Microsimulation::accelerationBehind(const Vehicle& v, int lane, const Vehicle* leader,
                                           double* limit) const {
  const std::int32_t link = laneLink_[lane];
  const MicroLink& info = network_.links[link];
  const IdmParameters& idm = typeOf(v).idm;
  double desired = std::min(idm.desiredSpeed, info.speedLimit);
  if (v.position < 0.0 && v.crossingSpeed > 0.0) desired = std::min(desired, v.crossingSpeed);
  double gap = kInf, approach = 0.0, stop = kInf;
  if (leader) {
    gap = leader->position - typeOf(*leader).idm.length - v.position;
    approach = v.speed - leader->speed;
    stop = leader->position - typeOf(*leader).idm.length;
  } else if (const Movement* crossing = nextMovement(v)) {
    const double remaining = info.lengthM - v.position;
    // In a lane that does not lead to the next link it waits at the stop line for a gap to change lanes.
    if (!laneAllowsNext(v, lane) || !mayEnter(v, remaining)) {
      gap = remaining;
      approach = v.speed;
      stop = info.lengthM - 0.01;
    } else {
      const int target =
          entryLane(crossing->toLink, routeLink(v, 2), crossing->arrivalLanes(lane - laneStart_[link]));
      if (!lanes_[target].empty()) {
        // Positions on the next link count from its start; the junction lies before it (negative positions).
        const Vehicle& tail = vehicles_[lanes_[target].back()];
        gap = remaining + crossing->lengthM + tail.position - typeOf(tail).idm.length;
        approach = v.speed - tail.speed;
      }
    }
  }
  if (v.position < 0.0) {
    // Crossing the junction: a minor movement with a waiting place stops there while a foe is coming.
    const Movement* entered = v.enteredBy >= 0 ? &network_.movements[v.enteredBy] : nullptr;
    if (entered && entered->waitM > 0.0) {
      const double waitAt = entered->waitM - entered->lengthM - 0.01;  // in the link's coordinates
      if (v.position < waitAt && waitAt - v.position < gap &&
          waitAt - v.position <= options_.yieldDistanceM && mustGiveWay(*entered)) {
        gap = waitAt - v.position;
        approach = v.speed;
        stop = waitAt;
      }
    }
  }
  if (limit) *limit = stop;
  return idmAcceleration(idm, desired, v.speed, gap, approach);
}

void Microsimulation::computeMotion(std::size_t laneBegin, std::size_t laneEnd) {
  const double dt = options_.timeStep;
  for (std::size_t index = laneBegin; index < laneEnd; ++index) {
    const auto lane = static_cast<std::size_t>(occupied_[index]);
    const auto& queue = lanes_[lane];
    if (queue.empty()) continue;
    for (std::size_t k = 0; k < queue.size(); ++k) {
      const std::int32_t id = queue[k];
      const Vehicle& v = vehicles_[id];
      double limit = kInf;
      const double a =
          accelerationBehind(v, static_cast<int>(lane), k > 0 ? &vehicles_[queue[k - 1]] : nullptr, &limit);
      double speed = v.speed + a * dt;
      double advance;
      if (speed < 0.0) {
        advance = a < 0.0 ? -0.5 * v.speed * v.speed / a : 0.0;
        speed = 0.0;
      } else {
        advance = 0.5 * (v.speed + speed) * dt;
      }
      double position = v.position + advance;
      if (position > limit) {
        position = std::max(v.position, limit);
        speed = 0.0;
      }
      nextSpeed_[id] = speed;
      nextPosition_[id] = position;
    }
  }
}

double Microsimulation::laneChangeIncentive(std::int32_t id, std::size_t fromIndex, int lane, double ownNow,
                                            bool urgent) const {
  const Vehicle& v = vehicles_[id];
  const auto& source = lanes_[v.lane];
  const auto& target = lanes_[lane];
  const double length = typeOf(v).idm.length;
  // The target lane's vehicles ahead of and behind v (queues are ordered front first).
  const auto split = std::partition_point(target.begin(), target.end(), [&](std::int32_t other) {
    return vehicles_[other].position >= v.position;
  });
  const auto behind = static_cast<std::size_t>(split - target.begin());
  const Vehicle* newLeader = behind > 0 ? &vehicles_[target[behind - 1]] : nullptr;
  const Vehicle* newFollower = behind < target.size() ? &vehicles_[target[behind]] : nullptr;
  if (newLeader && newLeader->position - typeOf(*newLeader).idm.length - v.position < 0.5) return -kInf;
  if (newFollower && v.position - length - newFollower->position < 0.5) return -kInf;
  const double safe = -options_.safeDeceleration;
  const double ownAfter = accelerationBehind(v, lane, newLeader, nullptr);
  if (ownAfter < safe && !(urgent && v.speed < 1.0)) return -kInf;
  double followerGain = 0.0;
  if (newFollower) {
    const double after = accelerationBehind(*newFollower, lane, &v, nullptr);
    if (after < safe && !(urgent && newFollower->speed < 1.0)) return -kInf;
    followerGain += after - accelerationBehind(*newFollower, lane, newLeader, nullptr);
  }
  const Vehicle* oldLeader = fromIndex > 0 ? &vehicles_[source[fromIndex - 1]] : nullptr;
  if (fromIndex + 1 < source.size()) {
    const Vehicle& oldFollower = vehicles_[source[fromIndex + 1]];
    followerGain += accelerationBehind(oldFollower, v.lane, oldLeader, nullptr) -
                    accelerationBehind(oldFollower, v.lane, &v, nullptr);
  }
  return ownAfter - ownNow + options_.politeness * followerGain - options_.changeThreshold;
}

void Microsimulation::chooseLanes(std::size_t laneBegin, std::size_t laneEnd) {
  for (std::size_t index = laneBegin; index < laneEnd; ++index) {
    const auto lane = static_cast<std::size_t>(occupied_[index]);
    const auto& queue = lanes_[lane];
    const std::int32_t link = laneLink_[lane];
    const int first = laneStart_[link], last = laneStart_[link + 1] - 1;
    for (std::size_t k = 0; k < queue.size(); ++k) laneTarget_[queue[k]] = -1;
    if (first == last) continue;
    const double lengthM = network_.links[link].lengthM;
    for (std::size_t k = 0; k < queue.size(); ++k) {
      const std::int32_t id = queue[k];
      const Vehicle& v = vehicles_[id];
      if (v.position < typeOf(v).idm.length) continue;  // not yet wholly on the link
      const Vehicle* leader = k > 0 ? &vehicles_[queue[k - 1]] : nullptr;
      if (!laneAllowsNext(v, static_cast<int>(lane))) {
        // Strategic: move one lane towards the nearest lane that leads on, as soon as it is safe.
        int towards = 0;
        for (int d = 1; d <= last - first && towards == 0; ++d) {
          if (static_cast<int>(lane) - d >= first && laneAllowsNext(v, static_cast<int>(lane) - d))
            towards = -1;
          else if (static_cast<int>(lane) + d <= last && laneAllowsNext(v, static_cast<int>(lane) + d))
            towards = 1;
        }
        const int other = static_cast<int>(lane) + towards;
        if (towards != 0 && laneChangeIncentive(id, k, other, 0.0, true) > -kInf) laneTarget_[id] = other;
        continue;
      }
      // Tactical (MOBIL) changes: not at the stop line, not just after a change, only into lanes that lead
      // on.
      if (v.position > lengthM - 1.0 || time_ - v.laneChangedS < options_.laneChangeCooldownS) continue;
      // A vehicle its leader does not hold back has nothing to gain (the followers' terms alone, weighted by
      // p < 1, hardly ever pass the threshold), and skipping it saves most of the evaluations.
      const double ownNow = accelerationBehind(v, static_cast<int>(lane), leader, nullptr);
      const IdmParameters& idm = typeOf(v).idm;
      const double free = idmAcceleration(idm, std::min(idm.desiredSpeed, network_.links[link].speedLimit),
                                          v.speed, kInf, 0.0);
      if (ownNow > free - options_.changeThreshold) continue;
      double best = 0.0;
      for (int side : {-1, 1}) {
        const int other = static_cast<int>(lane) + side;
        if (other < first || other > last || !laneAllowsNext(v, other)) continue;
        const double incentive = laneChangeIncentive(id, k, other, ownNow, false);
        if (incentive > best) {  // ties keep the lower lane: deterministic
          best = incentive;
          laneTarget_[id] = other;
        }
      }
    }
  }
}

void Microsimulation::changeLanes() {
  refreshOccupied();
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, occupied_.size(), std::max<std::size_t>(1, options_.lanesPerTask)),
      [&](const tbb::blocked_range<std::size_t>& range) { chooseLanes(range.begin(), range.end()); });
  std::vector<std::int32_t> movers;
  for (const std::int32_t lane : occupied_) {
    movers.clear();
    for (std::int32_t id : lanes_[lane])
      if (laneTarget_[id] >= 0) movers.push_back(id);
    for (std::int32_t id : movers) {
      const int target = laneTarget_[id];
      laneTarget_[id] = -1;
      Vehicle& v = vehicles_[id];
      auto& source = lanes_[v.lane];
      const auto at = static_cast<std::size_t>(std::find(source.begin(), source.end(), id) - source.begin());
      // Earlier changes this step may have filled the gap: check again against the lanes as they are now.
      if (!(laneChangeIncentive(id, at, target, 0.0, !laneAllowsNext(v, v.lane)) > -kInf)) continue;
      source.erase(source.begin() + static_cast<std::ptrdiff_t>(at));
      auto& queue = lanes_[target];
      queue.insert(
          std::partition_point(queue.begin(), queue.end(),
                               [&](std::int32_t other) { return vehicles_[other].position >= v.position; }),
          id);
      markOccupied(target);
      v.lane = target;
      v.laneChangedS = time_;
      ++laneChanges_;
    }
  }
  swapBlockedFronts();
}

void Microsimulation::swapBlockedFronts() {
  // Two vehicles standing side by side at the stop line, each in the lane the other needs, can never find
  // a gap: they swap lanes.
  // Ascending lane order, as a loop over links and their lanes: a swap changes the front that the next
  // pair looks at.
  refreshOccupied();
  for (const std::int32_t lane : occupied_) {
    if (lane + 1 >= laneStart_[laneLink_[lane] + 1]) continue;  // the link's last lane
    auto& right = lanes_[lane];
    auto& left = lanes_[lane + 1];
    if (right.empty() || left.empty()) continue;
    Vehicle& a = vehicles_[right.front()];
    Vehicle& b = vehicles_[left.front()];
    if (a.speed > 0.1 || b.speed > 0.1) continue;
    if (laneAllowsNext(a, lane) || !laneAllowsNext(a, lane + 1) || laneAllowsNext(b, lane + 1) ||
        !laneAllowsNext(b, lane))
      continue;
    std::swap(right.front(), left.front());
    std::swap(a.position, b.position);  // each takes the other's place: the lanes stay ordered
    a.lane = lane + 1;
    b.lane = lane;
    a.laneChangedS = b.laneChangedS = time_;
    laneChanges_ += 2;
  }
}

void Microsimulation::removeFromLane(std::int32_t vehicle) {
  auto& queue = lanes_[vehicles_[vehicle].lane];
  queue.erase(std::find(queue.begin(), queue.end(), vehicle));
}

void Microsimulation::strand(std::int32_t trip) {
  records_[trip].stranded = true;
}

void Microsimulation::moveAcrossNodes() {
  const double dt = options_.timeStep;
  for (const std::int32_t lane : occupied_) {
    const MicroLink& info = network_.links[laneLink_[lane]];
    LinkCounters& counter = counters_[laneLink_[lane]];
    LinkCounters& total = totals_[laneLink_[lane]];
    for (std::int32_t id : lanes_[lane]) {
      Vehicle& v = vehicles_[id];
      const double advance = nextPosition_[id] - v.position;
      const double desired = std::min(typeOf(v).idm.desiredSpeed, info.speedLimit);
      counter.vehicleSeconds += dt;
      counter.metres += advance;
      total.vehicleSeconds += dt;
      total.metres += advance;
      vehicleSecondsTotal_ += dt;
      const double lost = std::max(0.0, dt - advance / desired);
      delaySecondsTotal_ += lost;
      records_[v.trip].delayS += lost;
      v.position = nextPosition_[id];
      v.speed = nextSpeed_[id];
      if (v.speed >= 0.1)
        v.stoppedSinceS = -1.0;
      else if (v.stoppedSinceS < 0.0)
        v.stoppedSinceS = time_;
    }
  }
  const double endOfStep = time_ + dt;
  for (const std::int32_t lane : occupied_) {
    const std::int32_t link = laneLink_[lane];
    const double length = network_.links[link].lengthM;
    auto& queue = lanes_[lane];
    while (!queue.empty() && vehicles_[queue.front()].position >= length) {
      const std::int32_t id = queue.front();
      Vehicle& v = vehicles_[id];
      const auto& route = routes_[v.trip];
      if (v.routeIndex + 1 >= static_cast<std::int32_t>(route.size())) {
        const double late = (v.position - length) / std::max(v.speed, 0.1);
        records_[v.trip].arrivalS = std::max(time_, endOfStep - late);
        queue.erase(queue.begin());
        ++counters_[link].exits;
        ++totals_[link].exits;
        v.trip = -1;
        freeVehicles_.push_back(id);
        --running_;
        continue;
      }
      const std::int32_t next = route[v.routeIndex + 1];
      const Movement* movement = nextMovement(v);
      const int target =
          entryLane(next, routeLink(v, 2), movement->arrivalLanes(static_cast<int>(lane) - laneStart_[link]));
      const double room = roomAtEntry(target) - typeOf(v).idm.minimumGap * 0.5;
      double position =
          std::min(v.position - length - movement->lengthM, network_.links[next].lengthM - 0.01);
      if (network_.links[next].closed || room < -movement->lengthM) {  // no room: hold at the stop line
        v.position = length - 0.01;
        v.speed = 0.0;
        break;
      }
      position = std::min(position, room);
      queue.erase(queue.begin());
      ++counters_[link].exits;
      ++totals_[link].exits;
      v.position = position;
      v.crossingSpeed = movement->speed;
      v.lane = target;
      ++v.routeIndex;
      followRoute(v);
      lanes_[target].push_back(id);
      markOccupied(target);
    }
  }
}

void Microsimulation::resolveJams() {
  if (!(options_.jamTeleportS > 0.0)) return;
  const double now = time_ + options_.timeStep;
  refreshOccupied();
  for (const std::int32_t lane : occupied_) {
    auto& queue = lanes_[lane];
    if (queue.empty()) continue;
    const std::int32_t id = queue.front();
    Vehicle& v = vehicles_[id];
    if (v.stoppedSinceS < 0.0 || now - v.stoppedSinceS < options_.jamTeleportS) continue;
    const std::int32_t link = laneLink_[lane];
    queue.erase(queue.begin());
    ++counters_[link].exits;
    ++totals_[link].exits;
    ++jamTeleports_;
    const auto& route = routes_[v.trip];
    const IdmParameters& idm = typeOf(v).idm;
    bool placed = false;
    for (auto index = static_cast<std::size_t>(v.routeIndex) + 1; index < route.size() && !placed; ++index) {
      const std::int32_t next = route[index];
      if (network_.links[next].closed) continue;
      const int target = entryLane(next, index + 1 < route.size() ? route[index + 1] : -1);
      const double room = roomAtEntry(target);
      if (room < idm.length + idm.minimumGap) continue;
      v.routeIndex = static_cast<std::int32_t>(index);
      startStanding(id, target, room);
      placed = true;
    }
    if (!placed) {  // no room anywhere ahead: it leaves at the end of its route
      records_[v.trip].arrivalS = now;
      v.trip = -1;
      freeVehicles_.push_back(id);
      --running_;
    }
  }
}

void Microsimulation::startStanding(std::int32_t id, int lane, double room) {
  Vehicle& v = vehicles_[id];
  const IdmParameters& idm = typeOf(v).idm;
  v.lane = lane;
  v.position = std::max(
      0.0, std::min({idm.length, room - idm.minimumGap, network_.links[laneLink_[lane]].lengthM - 0.01}));
  v.speed = 0.0;
  v.crossingSpeed = 0.0;
  v.stoppedSinceS = -1.0;
  followRoute(v);
  lanes_[lane].push_back(id);
  markOccupied(lane);
}

void Microsimulation::insertDeparting() {
  if (!pendingSorted_) {
    std::stable_sort(pending_.begin() + static_cast<std::ptrdiff_t>(pendingHead_), pending_.end(),
                     [&](std::int32_t a, std::int32_t b) {
                       return records_[a].requestedDepartS < records_[b].requestedDepartS;
                     });
    pendingSorted_ = true;
  }
  while (pendingHead_ < pending_.size() && records_[pending_[pendingHead_]].requestedDepartS <= time_ + 1e-9)
    waiting_.push_back(pending_[pendingHead_++]);
  std::size_t kept = 0;
  // A trip that finds no room fails for every later trip of this step with the same first two links and
  // vehicle type (departures only take room), so those are not looked at again: in a jam the waiting trips
  // cost a lookup each, not a search of the lanes.
  blockedDepartures_.clear();
  const auto links = static_cast<std::uint64_t>(network_.links.size()) + 1;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    const std::int32_t trip = waiting_[i];
    if (records_[trip].stranded) continue;
    const std::int32_t first = routes_[trip].front();
    const std::int32_t second = routes_[trip].size() > 1 ? routes_[trip][1] : -1;
    const std::uint64_t key =
        (static_cast<std::uint64_t>(first) * links + static_cast<std::uint64_t>(second + 1)) * types_.size() +
        static_cast<std::uint64_t>(tripType_[trip]);
    if (blockedDepartures_.count(key) != 0) {
      waiting_[kept++] = trip;
      continue;
    }
    const IdmParameters& idm = types_[tripType_[trip]].idm;
    const int lane = entryLane(first, second);
    const double room = roomAtEntry(lane);
    if (network_.links[first].closed || room < idm.minimumGap) {
      blockedDepartures_.insert(key);
      waiting_[kept++] = trip;
      continue;
    }
    std::int32_t id;
    if (!freeVehicles_.empty()) {
      id = freeVehicles_.back();
      freeVehicles_.pop_back();
    } else {
      id = static_cast<std::int32_t>(vehicles_.size());
      vehicles_.emplace_back();
      nextSpeed_.push_back(0.0);
      nextPosition_.push_back(0.0);
      laneTarget_.push_back(-1);
    }
    Vehicle& v = vehicles_[id];
    v.trip = trip;
    v.routeIndex = 0;
    v.laneChangedS = -1e9;
    startStanding(id, lane, room);
    records_[trip].departS = time_;
    ++running_;
  }
  waiting_.resize(kept);
}

void Microsimulation::step() {
  started_ = true;
  signalPhase_.resize(network_.signals.size());
  for (std::size_t k = 0; k < network_.signals.size(); ++k)
    signalPhase_[k] = network_.signals[k].phaseAt(time_);
  insertDeparting();
  if (options_.laneChanging) changeLanes();
  refreshOccupied();
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, occupied_.size(), std::max<std::size_t>(1, options_.lanesPerTask)),
      [&](const tbb::blocked_range<std::size_t>& range) { computeMotion(range.begin(), range.end()); });
  moveAcrossNodes();
  resolveJams();
  if (options_.reroutePeriodS > 0.0 && std::floor((time_ + options_.timeStep) / options_.reroutePeriodS +
                                                  1e-9) > std::floor(time_ / options_.reroutePeriodS + 1e-9))
    rerouteOnCurrentTimes();
  vehicleSteps_ += running_;
  time_ += options_.timeStep;
}

void Microsimulation::runUntil(double endS) {
  while (time_ + 1e-9 < endS && !finished()) step();
}

void Microsimulation::resetLinkCounters() {
  std::fill(counters_.begin(), counters_.end(), LinkCounters{});
}

std::size_t Microsimulation::vehiclesOn(std::int32_t link) const {
  std::size_t count = 0;
  for (int lane = laneStart_[link]; lane < laneStart_[link + 1]; ++lane) count += lanes_[lane].size();
  return count;
}

namespace {

// Dijkstra's labels, kept between searches of one thread: a search resets only the labels it set, so its
// cost follows the part of the network it explores, not the network's size (the model routes every
// origin-destination pair of a city's demand, and a fresh array per search made that quadratic).
struct RouteSearchScratch {
  std::vector<double> time;
  std::vector<std::int32_t> previous;
  std::vector<std::int32_t> touched;
  std::vector<std::pair<double, std::int32_t>> heap;

  void prepare(std::size_t links) {
    if (time.size() != links) {
      time.assign(links, kInf);
      previous.assign(links, -1);
    }
    touched.clear();
    heap.clear();
  }
  void label(std::int32_t link, double t, std::int32_t from) {
    if (time[link] == kInf) touched.push_back(link);
    time[link] = t;
    previous[link] = from;
  }
  void reset() {
    for (const std::int32_t link : touched) {
      time[link] = kInf;
      previous[link] = -1;
    }
    touched.clear();
  }
};

}  // namespace

std::optional<std::vector<std::int32_t>> Microsimulation::fastestRoute(std::int32_t fromLink,
                                                                       std::int32_t toLink) const {
  const std::int32_t target[] = {toLink};
  return std::move(fastestRoutes(fromLink, target).front());
}

std::vector<std::optional<std::vector<std::int32_t>>> Microsimulation::fastestRoutes(
    std::int32_t fromLink, std::span<const std::int32_t> toLinks) const {
  std::vector<std::optional<std::vector<std::int32_t>>> routes(toLinks.size());
  thread_local RouteSearchScratch scratch;
  thread_local std::vector<std::uint8_t> wanted;
  scratch.prepare(network_.links.size());
  if (wanted.size() != network_.links.size()) wanted.assign(network_.links.size(), 0);
  std::size_t remaining = 0;
  for (const std::int32_t link : toLinks)
    if (link != fromLink && !wanted[link]) {
      wanted[link] = 1;
      ++remaining;
    }
  // Dijkstra over links with the heap operations of std::priority_queue<Entry, std::vector<Entry>,
  // std::greater<>> on a vector that keeps its capacity (the same order of settling, so the same routes on
  // ties); it stops when every target is settled (a settled link's label and predecessor never change again).
  auto& heap = scratch.heap;
  const std::greater<> later;
  scratch.label(fromLink, 0.0, -1);
  heap.emplace_back(0.0, fromLink);
  while (!heap.empty() && remaining > 0) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const auto [t, link] = heap.back();
    heap.pop_back();
    if (t > scratch.time[link]) continue;
    if (wanted[link] == 1) {
      wanted[link] = 2;
      if (--remaining == 0) break;
    }
    for (const Movement* mv = network_.movementsBegin(link); mv != network_.movementsEnd(link); ++mv) {
      const MicroLink& next = network_.links[mv->toLink];
      if (next.closed) continue;
      const double candidate = t + freeFlowSeconds(mv->toLink);
      if (candidate < scratch.time[mv->toLink]) {
        scratch.label(mv->toLink, candidate, link);
        heap.emplace_back(candidate, mv->toLink);
        std::push_heap(heap.begin(), heap.end(), later);
      }
    }
  }
  for (std::size_t k = 0; k < toLinks.size(); ++k) {
    const std::int32_t toLink = toLinks[k];
    if (toLink == fromLink) {
      routes[k].emplace();
      continue;
    }
    wanted[toLink] = 0;
    if (!std::isfinite(scratch.time[toLink])) continue;
    auto& route = routes[k].emplace();
    for (std::int32_t link = toLink; link != fromLink; link = scratch.previous[link]) route.push_back(link);
    std::reverse(route.begin(), route.end());
  }
  scratch.reset();
  return routes;
}

std::vector<double> Microsimulation::remainingFreeFlowS() const {
  std::vector<double> remaining(records_.size(), 0.0);
  for (std::size_t trip = 0; trip < records_.size(); ++trip) {
    const TripRecord& record = records_[trip];
    if (record.arrived() || record.stranded || record.departS >= 0.0) continue;
    for (std::int32_t link : routes_[trip]) remaining[trip] += freeFlowSeconds(link);
  }
  for (const auto& queue : lanes_)
    for (std::int32_t id : queue) {
      const Vehicle& v = vehicles_[id];
      if (v.trip < 0) continue;
      const auto& route = routes_[v.trip];
      const std::int32_t link = route[static_cast<std::size_t>(v.routeIndex)];
      const double left = std::max(0.0, network_.links[link].lengthM - std::max(0.0, v.position));
      double seconds = left / std::max(network_.links[link].speedLimit, 0.1);
      for (std::size_t i = static_cast<std::size_t>(v.routeIndex) + 1; i < route.size(); ++i)
        seconds += freeFlowSeconds(route[i]);
      remaining[static_cast<std::size_t>(v.trip)] = seconds;
    }
  return remaining;
}

void Microsimulation::setClosed(std::int32_t link, bool closed) {
  if (network_.links[link].closed == closed) return;
  network_.links[link].closed = closed;
  if (closed) rerouteAll();
}

void Microsimulation::rerouteAll() {
  auto usesClosed = [&](const std::vector<std::int32_t>& route, std::size_t from) {
    for (std::size_t i = from; i < route.size(); ++i)
      if (network_.links[route[i]].closed) return true;
    return false;
  };
  // Running vehicles keep the link they are on and replace the rest of their route.
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
    auto& queue = lanes_[lane];
    for (std::size_t k = 0; k < queue.size();) {
      Vehicle& v = vehicles_[queue[k]];
      auto& route = routes_[v.trip];
      if (!usesClosed(route, static_cast<std::size_t>(v.routeIndex) + 1)) {
        ++k;
        continue;
      }
      const auto replacement = network_.links[route.back()].closed
                                   ? std::nullopt
                                   : fastestRoute(route[v.routeIndex], route.back());
      if (replacement) {
        route.resize(static_cast<std::size_t>(v.routeIndex) + 1);
        route.insert(route.end(), replacement->begin(), replacement->end());
        followRoute(v);
        ++k;
      } else {
        strand(v.trip);
        v.trip = -1;
        freeVehicles_.push_back(queue[k]);
        queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(k));
        --running_;
      }
    }
  }
  auto reroutePending = [&](std::int32_t trip) {
    auto& route = routes_[trip];
    if (records_[trip].stranded || !usesClosed(route, 0)) return;
    std::optional<std::vector<std::int32_t>> replacement;
    if (!network_.links[route.front()].closed && !network_.links[route.back()].closed)
      replacement = fastestRoute(route.front(), route.back());
    if (!replacement) {
      strand(trip);
      return;
    }
    route.resize(1);
    route.insert(route.end(), replacement->begin(), replacement->end());
  };
  for (std::size_t i = pendingHead_; i < pending_.size(); ++i) reroutePending(pending_[i]);
  for (std::int32_t trip : waiting_) reroutePending(trip);
}

void Microsimulation::rerouteOnCurrentTimes() {
  // The time to discharge a standing queue, per vehicle and lane: the IDM's queue discharge headway with
  // the default parameters is about 2 s (capacity 1,743 veh/h per lane on the ring road).
  constexpr double kDischargeHeadwayS = 2.0;
  const std::size_t m = network_.links.size();
  const double now = time_ + options_.timeStep;
  std::vector<double> cost(m);
  for (std::size_t l = 0; l < m; ++l) {
    double queued = 0.0, standing = 0.0;
    for (int lane = laneStart_[l]; lane < laneStart_[l + 1]; ++lane) {
      queued += static_cast<double>(lanes_[lane].size());
      if (lanes_[lane].empty()) continue;
      const Vehicle& head = vehicles_[lanes_[lane].front()];
      if (head.stoppedSinceS >= 0.0) standing = std::max(standing, now - head.stoppedSinceS);
    }
    const int lanes = std::max(1, laneStart_[l + 1] - laneStart_[l]);
    cost[l] = freeFlowSeconds(static_cast<std::int32_t>(l)) + queued / lanes * kDischargeHeadwayS + standing;
  }
  std::vector<std::int32_t> candidates;  // in lane order: the order changes are applied in
  for (const auto& queue : lanes_)
    for (std::int32_t id : queue) {
      const Vehicle& v = vehicles_[id];
      if (v.trip >= 0 && v.routeIndex + 1 < static_cast<std::int32_t>(routes_[v.trip].size()))
        candidates.push_back(id);
    }
  std::vector<std::vector<std::int32_t>> replacement(candidates.size());
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, candidates.size(), 64),
      [&](const tbb::blocked_range<std::size_t>& range) {
        std::vector<double> label(m, kInf);
        std::vector<std::int32_t> previous(m, -1), touched;
        using Entry = std::pair<double, std::int32_t>;
        for (std::size_t k = range.begin(); k < range.end(); ++k) {
          const Vehicle& v = vehicles_[candidates[k]];
          const auto& route = routes_[v.trip];
          const std::int32_t from = route[static_cast<std::size_t>(v.routeIndex)], to = route.back();
          double remaining = 0.0;
          for (std::size_t i = static_cast<std::size_t>(v.routeIndex) + 1; i < route.size(); ++i)
            remaining += cost[route[i]];
          for (std::int32_t link : touched) {
            label[link] = kInf;
            previous[link] = -1;
          }
          touched.clear();
          std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
          label[from] = 0.0;
          touched.push_back(from);
          heap.emplace(0.0, from);
          while (!heap.empty()) {
            const auto [t, link] = heap.top();
            heap.pop();
            if (t > label[link]) continue;
            if (link == to && link != from) break;
            for (const Movement* mv = network_.movementsBegin(link); mv != network_.movementsEnd(link);
                 ++mv) {
              if (network_.links[mv->toLink].closed) continue;
              const double candidate = t + cost[mv->toLink];
              if (candidate < label[mv->toLink]) {
                if (label[mv->toLink] == kInf) touched.push_back(mv->toLink);
                label[mv->toLink] = candidate;
                previous[mv->toLink] = link;
                heap.emplace(candidate, mv->toLink);
              }
            }
          }
          if (!(label[to] < remaining * (1.0 - options_.rerouteMinSavingShare))) continue;
          std::vector<std::int32_t> better;
          for (std::int32_t link = to; link != from; link = previous[link]) better.push_back(link);
          std::reverse(better.begin(), better.end());
          replacement[k] = std::move(better);
        }
      });
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    if (replacement[k].empty()) continue;
    Vehicle& v = vehicles_[candidates[k]];
    auto& route = routes_[v.trip];
    route.resize(static_cast<std::size_t>(v.routeIndex) + 1);
    route.insert(route.end(), replacement[k].begin(), replacement[k].end());
    followRoute(v);
    ++reroutes_;
  }
}

void Microsimulation::setLanes(std::int32_t link, int lanes) {
  if (started_) throw Error("traffic: lanes can change only before the simulation starts");
  network_.links[link].lanes = std::max(1, lanes);
  rebuildLanes();
}

void Microsimulation::setSpeedLimit(std::int32_t link, double speed) {
  network_.links[link].speedLimit = speed;
}

std::vector<Microsimulation::VehiclePosition> Microsimulation::positions() const {
  std::vector<VehiclePosition> result;
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane)
    for (std::int32_t id : lanes_[lane]) {
      const Vehicle& v = vehicles_[id];
      result.push_back({v.trip, laneLink_[lane],
                        static_cast<std::int32_t>(lane) - laneStart_[laneLink_[lane]], v.position, v.speed});
    }
  return result;
}

std::vector<std::uint8_t> Microsimulation::snapshot() const {
  ByteWriter out;
  out.put(time_);
  out.put(vehicleSteps_);
  out.put(laneChanges_);
  out.put(jamTeleports_);
  out.put(vehicleSecondsTotal_);
  out.put(delaySecondsTotal_);
  out.put<std::uint64_t>(running_);
  out.put<std::uint64_t>(pendingHead_);
  out.put<std::uint8_t>(started_);
  out.putVector(pending_);
  out.putVector(waiting_);
  out.putVector(freeVehicles_);
  out.put<std::uint64_t>(vehicles_.size());
  for (const Vehicle& v : vehicles_) {  // field by field: no padding bytes in the snapshot
    out.put(v.trip);
    out.put(v.routeIndex);
    out.put(v.lane);
    out.put(v.position);
    out.put(v.speed);
    out.put(v.crossingSpeed);
    out.put(v.laneChangedS);
    out.put(v.stoppedSinceS);
  }
  out.put<std::uint64_t>(lanes_.size());
  for (const auto& queue : lanes_) out.putVector(queue);
  out.put<std::uint64_t>(routes_.size());
  for (const auto& route : routes_) out.putVector(route);
  for (const TripRecord& r : records_) {
    out.put(r.departS);
    out.put(r.arrivalS);
    out.put(r.delayS);
    out.put<std::uint8_t>(r.stranded);
  }
  for (const MicroLink& link : network_.links) {
    out.put<std::uint8_t>(link.closed);
    out.put(link.speedLimit);
    out.put(link.lanes);
  }
  out.put<std::uint64_t>(counters_.size());
  for (const auto* set : {&counters_, &totals_})
    for (const LinkCounters& c : *set) {
      out.put(c.exits);
      out.put(c.vehicleSeconds);
      out.put(c.metres);
    }
  out.put(reroutes_);
  return std::move(out.bytes);
}

void Microsimulation::restore(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "traffic snapshot");
  time_ = in.get<double>();
  vehicleSteps_ = in.get<std::uint64_t>();
  laneChanges_ = in.get<std::uint64_t>();
  jamTeleports_ = in.get<std::uint64_t>();
  vehicleSecondsTotal_ = in.get<double>();
  delaySecondsTotal_ = in.get<double>();
  running_ = in.get<std::uint64_t>();
  pendingHead_ = in.get<std::uint64_t>();
  started_ = in.get<std::uint8_t>() != 0;
  pending_ = in.getVector<std::int32_t>();
  waiting_ = in.getVector<std::int32_t>();
  freeVehicles_ = in.getVector<std::int32_t>();
  vehicles_.resize(in.get<std::uint64_t>());
  for (Vehicle& v : vehicles_) {
    v.trip = in.get<std::int32_t>();
    v.routeIndex = in.get<std::int32_t>();
    v.lane = in.get<std::int32_t>();
    v.position = in.get<double>();
    v.speed = in.get<double>();
    v.crossingSpeed = in.get<double>();
    v.laneChangedS = in.get<double>();
    v.stoppedSinceS = in.get<double>();
  }
  laneTarget_.assign(vehicles_.size(), -1);
  nextSpeed_.assign(vehicles_.size(), 0.0);
  nextPosition_.assign(vehicles_.size(), 0.0);
  const auto laneCount = in.get<std::uint64_t>();
  std::vector<std::vector<std::int32_t>> lanes(laneCount);
  for (auto& queue : lanes) queue = in.getVector<std::int32_t>();
  const auto routeCount = in.get<std::uint64_t>();
  if (routeCount != routes_.size()) throw Error("traffic snapshot does not match this simulation's trips");
  for (auto& route : routes_) route = in.getVector<std::int32_t>();
  for (Vehicle& v : vehicles_)
    if (v.trip >= 0) followRoute(v);
  for (TripRecord& r : records_) {
    r.departS = in.get<double>();
    r.arrivalS = in.get<double>();
    r.delayS = in.get<double>();
    r.stranded = in.get<std::uint8_t>() != 0;
  }
  for (MicroLink& link : network_.links) {
    link.closed = in.get<std::uint8_t>() != 0;
    link.speedLimit = in.get<double>();
    link.lanes = in.get<int>();
  }
  rebuildLanes();
  if (lanes.size() != lanes_.size()) throw Error("traffic snapshot does not match this network");
  lanes_ = std::move(lanes);
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane)
    if (!lanes_[lane].empty()) markOccupied(static_cast<int>(lane));
  const auto counterCount = in.get<std::uint64_t>();
  if (counterCount != network_.links.size()) throw Error("traffic snapshot does not match this network");
  counters_.resize(counterCount);
  totals_.resize(counterCount);
  for (auto* set : {&counters_, &totals_})
    for (LinkCounters& c : *set) {
      c.exits = in.get<std::uint64_t>();
      c.vehicleSeconds = in.get<double>();
      c.metres = in.get<double>();
    }
  reroutes_ = in.get<std::uint64_t>();
  pendingSorted_ = true;
}

}  // namespace citytwin::traffic
