#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "citytwin/traffic/idm.hpp"
#include "citytwin/traffic/micro_network.hpp"

namespace citytwin::traffic {

struct VehicleType {
  IdmParameters idm;  // idm.desiredSpeed is the vehicle's top speed; links' limits cap it
};

struct TripRequest {
  std::string id;
  std::vector<std::int32_t> route;  // consecutive links joined by movements
  double departS = 0.0;
  int type = 0;
};

struct TripRecord {
  std::string id;
  double requestedDepartS = 0.0;
  double departS = -1.0;   // when it entered the network (-1: not yet)
  double arrivalS = -1.0;  // when it left at the end of its route (-1: not arrived)
  double routeLengthM = 0.0;
  double freeFlowS = 0.0;  // its first route at the speed limits: what the trip costs on an empty network
  double delayS = 0.0;     // time lost in the network against driving at the desired speed
  bool stranded = false;   // no route left after closures
  bool arrived() const { return arrivalS >= 0.0; }
};

struct MicrosimulationOptions {
  double timeStep = 0.5;           // s
  double yieldHorizonS = 4.0;      // a lower-priority approach waits while a priority vehicle is this close
  double yieldDistanceM = 30.0;    // and the waiting vehicle is within this distance of its stop line
  std::size_t lanesPerTask = 256;  // parallel grain (results do not depend on it)
  // MOBIL lane changing (Kesting, Treiber & Helbing 2007) on links with several lanes.
  bool laneChanging = true;
  double politeness = 0.3;           // p: weight of the followers' acceleration changes
  double changeThreshold = 0.1;      // m/s^2: the advantage a change must bring
  double safeDeceleration = 4.0;     // m/s^2: no change that makes anyone brake harder than this
  double laneChangeCooldownS = 3.0;  // between two changes of the same vehicle (no flip-flopping)
  // A vehicle standing this long at the head of a lane is in a jam that will not clear (a gridlock): it is
  // moved on to the next link of its route with room, as SUMO's time-to-teleport does. 0: never.
  double jamTeleportS = 300.0;
  // En-route rerouting (SUMO's rerouting device): every this many seconds each running vehicle looks for a
  // faster way to its destination on the network's current link times (free-flow time plus the time to
  // discharge the vehicles queued on the link, plus how long its head vehicle has stood) and takes it when
  // it saves at least rerouteMinSavingShare of the remaining route's time. 0: never.
  double reroutePeriodS = 0.0;
  double rerouteMinSavingShare = 0.1;
  // Impatience (SUMO's --time-to-impatience, default 180 s): a vehicle that has stood at its stop line
  // giving way grows impatient over this time; the time ahead within which it waits for an approaching
  // foe shrinks in proportion, to nothing when the time is up (it then enters whenever no foe is in the
  // junction and its exit has room). 0: never impatient.
  double timeToImpatienceS = 0.0;
};

// Lane-level microsimulation: each link has lanes holding ordered queues of vehicles that follow the IDM;
// at nodes vehicles obey fixed-time signals, yield to higher-priority approaches and enter the next link
// only where there is room. Vehicles move in parallel (TBB) from the previous step's state only and
// change links in a fixed order, so results are identical for any number of threads.
class Microsimulation {
 public:
  Microsimulation(MicroNetwork network, std::vector<VehicleType> types, MicrosimulationOptions options = {});

  // Throws Error when the route is empty or two consecutive links have no movement between them.
  void addTrip(TripRequest trip);
  void step();
  // Steps until `endS` or until every trip has arrived or been stranded.
  void runUntil(double endS);

  double time() const { return time_; }
  const MicroNetwork& network() const { return network_; }
  const std::vector<TripRecord>& trips() const { return records_; }
  // A trip's current route (changed by rerouting after closures).
  const std::vector<std::int32_t>& route(std::int32_t trip) const { return routes_[trip]; }
  std::uint64_t vehicleSteps() const { return vehicleSteps_; }
  std::uint64_t laneChanges() const { return laneChanges_; }
  std::uint64_t jamTeleports() const { return jamTeleports_; }
  std::size_t runningCount() const { return running_; }
  std::size_t pendingCount() const;
  bool finished() const { return running_ == 0 && pendingCount() == 0; }

  // Closes or opens a link; routes of pending and running vehicles through closed links are replaced by
  // the fastest open route (free-flow times), and vehicles with none are stranded.
  void setClosed(std::int32_t link, bool closed);
  void setLanes(std::int32_t link, int lanes);  // before the first step only
  void setSpeedLimit(std::int32_t link, double speed);
  // Fastest route (free-flow time, open links) from the end of `fromLink` to the end of `toLink`.
  // Empty optional when there is none; the route excludes `fromLink`.
  std::optional<std::vector<std::int32_t>> fastestRoute(std::int32_t fromLink, std::int32_t toLink) const;
  // The same routes (ties included) from the end of `fromLink` to the end of each of `toLinks`, from one
  // search that stops once all of them are reached; thread-safe.
  std::vector<std::optional<std::vector<std::int32_t>>> fastestRoutes(
      std::int32_t fromLink, std::span<const std::int32_t> toLinks) const;
  // A link's length at its speed limit (floored at 0.1 m/s, so a zero limit does not divide by zero): the
  // cost fastestRoute minimises.
  double freeFlowSeconds(std::int32_t link) const {
    return network_.links[link].lengthM / std::max(network_.links[link].speedLimit, 0.1);
  }

  // Per-link counters since the last call of resetLinkCounters().
  struct LinkCounters {
    std::uint64_t exits = 0;      // vehicles that left the link
    double vehicleSeconds = 0.0;  // time spent on the link by all vehicles
    double metres = 0.0;          // distance driven on it
  };
  const std::vector<LinkCounters>& linkCounters() const { return counters_; }
  void resetLinkCounters();
  // The same counters since the start, never reset (result files difference them per interval).
  const std::vector<LinkCounters>& linkTotals() const { return totals_; }
  // Vehicles on a link now (all lanes, those still crossing the junction onto it included).
  std::size_t vehiclesOn(std::int32_t link) const;
  // Totals since the start.
  double vehicleSecondsTravelled() const { return vehicleSecondsTotal_; }
  double vehicleSecondsDelay() const { return delaySecondsTotal_; }
  // Per trip, the time its current route still needs at the speed limits: from the vehicle's position for
  // a running trip, the whole route for one not yet in the network, 0 for one that arrived or is stranded.
  std::vector<double> remainingFreeFlowS() const;

  // Positions for a viewer: (link, lane, metres from the link's start) of every running vehicle.
  struct VehiclePosition {
    std::int32_t trip = 0, link = 0, lane = 0;
    double offsetM = 0.0, speed = 0.0;
  };
  std::vector<VehiclePosition> positions() const;

  std::vector<std::uint8_t> snapshot() const;
  void restore(std::span<const std::uint8_t> bytes);

 private:
  struct Vehicle {
    std::int32_t trip = -1;
    std::int32_t routeIndex = 0;
    std::int32_t lane = 0;  // global lane index
    double position =
        0.0;  // front bumper, metres from the link's start; negative while crossing the junction
    double speed = 0.0;
    double crossingSpeed = 0.0;   // speed limit across the junction being crossed (0: none)
    double laneChangedS = -1e9;   // when it last changed lanes
    double stoppedSinceS = -1.0;  // since when it has been standing (-1: moving)
    // Derived from the route (not in snapshots): indices into the network's movements of the one from this
    // link to the next and of the one it entered this link by (-1: none).
    std::int32_t nextMovement = -1;
    std::int32_t enteredBy = -1;
  };
  // Sets the vehicle's movement indices after its link or route changed.
  void followRoute(Vehicle& v) const;
  const Movement* nextMovement(const Vehicle& v) const {
    return v.nextMovement >= 0 ? &network_.movements[v.nextMovement] : nullptr;
  }
  // The state letter a movement's signal shows in this step ('O' unsignalised).
  char signalState(const Movement& m) const;
  int laneOf(std::int32_t link, int lane) const { return laneStart_[link] + lane; }
  std::int32_t linkOfLane(int lane) const { return laneLink_[lane]; }
  // The vehicle's link `offset` links further along its route (negative: behind), -1 outside the route.
  std::int32_t routeLink(const Vehicle& v, int offset) const {
    const auto& route = routes_[v.trip];
    const auto index = static_cast<std::size_t>(v.routeIndex + offset);
    return index < route.size() ? route[index] : -1;
  }
  // The lane of `link` with the most room at its start among the `arrival` lanes (bit k: lane k) allowed to
  // turn onto `after` (-1: any); among all `arrival` lanes where none of them leads there.
  int entryLane(std::int32_t link, std::int32_t after = -1, std::uint32_t arrival = 0xFFFFFFFFu) const;
  // Whether `lane` (global) may take the vehicle's next movement (true at the end of its route).
  bool laneAllowsNext(const Vehicle& v, int lane) const;
  double roomAtEntry(int lane) const;
  // Whether `v`, `remaining` metres before its stop line, may cross onto the next link of its route.
  bool mayEnter(const Vehicle& v, double remaining) const;
  // Whether a vehicle taking `m` must give way now: `m` is minor (signal state 'g', 'o' or 's', or an
  // unsignalised minor movement) and one of its foes that may go has a vehicle in the junction or one
  // arriving within the yield horizon.
  // `patience` (1: none lost) scales the time ahead within which an approaching foe is waited for.
  bool mustGiveWay(const Movement& m, double patience = 1.0) const;
  bool foeCanGo(const Movement& foe) const;  // false while its signal shows red
  // Whether a vehicle could cross `m` onto its exit soon: one of the lanes it arrives in has room for a
  // vehicle (of the first type) at its start, or its last vehicle is moving (at least 1 m/s).
  bool exitHasRoom(const Movement& m) const;
  // computeMotion and chooseLanes work on occupied_[laneBegin, laneEnd).
  void computeMotion(std::size_t laneBegin, std::size_t laneEnd);
  // IDM acceleration of `v` on `link` behind `leader`, or, when `leader` is null, facing the stop line or
  // the next link's last vehicle; `limit` (when given) receives the position it must not pass.
  // `lane` is the (global) lane it drives in, or would after a change.
  double accelerationBehind(const Vehicle& v, int lane, const Vehicle* leader, double* limit) const;
  void chooseLanes(std::size_t laneBegin, std::size_t laneEnd);  // MOBIL decisions, from the state only
  void changeLanes();                                            // applies them in lane order
  void swapBlockedFronts();
  // The MOBIL incentive for vehicle `id` (at `fromIndex` in its lane, accelerating at `ownNow` there) to move
  // into `lane`, judged against the lanes as they are now; -infinity when unsafe.
  // `urgent`: it must leave a lane that does not lead where it goes; a follower slower than 1 m/s then does
  // not object (it need not brake).
  double laneChangeIncentive(std::int32_t id, std::size_t fromIndex, int lane, double ownNow,
                             bool urgent) const;
  void moveAcrossNodes();
  void resolveJams();  // moves on vehicles that have stood at the head of a lane for jamTeleportS
  void insertDeparting();
  // Puts vehicle `id` (its trip and route index set), standing, at the start of `lane`, behind the lane's
  // last vehicle, which is `room` metres from the start.
  void startStanding(std::int32_t id, int lane, double room);
  void rerouteAll();
  // En-route rerouting on current link times (MicrosimulationOptions::reroutePeriodS).
  void rerouteOnCurrentTimes();
  std::uint64_t reroutes_ = 0;

 public:
  // Vehicles that changed route en route (rerouteOnCurrentTimes), since the start.
  std::uint64_t enRouteReroutes() const { return reroutes_; }

 private:
  void rebuildLanes();
  void markOccupied(int lane);  // after a vehicle entered `lane`
  void refreshOccupied();       // drops emptied lanes, merges newly occupied ones
  void strand(std::int32_t trip);
  void removeFromLane(std::int32_t vehicle);
  const VehicleType& typeOf(const Vehicle& v) const { return types_[tripType_[v.trip]]; }

  MicroNetwork network_;
  std::vector<VehicleType> types_;
  MicrosimulationOptions options_;
  std::vector<int> laneStart_;
  std::vector<std::int32_t> laneLink_;
  std::vector<std::vector<std::int32_t>> lanes_;  // vehicle indices, front first
  // The lanes that hold vehicles, ascending, so that a step costs what its vehicles cost, not what the
  // network's size does: occupied_ may still list lanes emptied since the last refresh, newlyOccupied_
  // lanes filled since (listed_: in either list). Loops over occupied_ visit lanes in the order of a loop
  // over all lanes, so results do not change.
  std::vector<std::int32_t> occupied_, newlyOccupied_;
  std::vector<std::uint8_t> listed_;
  std::vector<Vehicle> vehicles_;
  std::vector<double> nextSpeed_, nextPosition_;
  std::vector<std::int32_t> laneTarget_;  // per vehicle: the lane MOBIL chose this step, -1 none
  std::vector<std::int32_t> freeVehicles_;
  std::vector<std::vector<std::int32_t>> routes_;  // per trip
  std::vector<int> tripType_;
  std::vector<TripRecord> records_;
  std::vector<std::int32_t> pending_;  // trips not yet due, by departure time then order added
  std::size_t pendingHead_ = 0;
  std::vector<std::int32_t> waiting_;  // due trips waiting for room on their first link
  std::unordered_set<std::uint64_t> blockedDepartures_;  // insertDeparting's scratch
  std::vector<LinkCounters> counters_, totals_;
  std::vector<int> signalPhase_;  // per signal program, its phase in this step (-1: none)
  std::size_t running_ = 0;
  double time_ = 0.0;
  std::uint64_t vehicleSteps_ = 0, laneChanges_ = 0, jamTeleports_ = 0;
  double vehicleSecondsTotal_ = 0.0, delaySecondsTotal_ = 0.0;
  bool pendingSorted_ = true;
  bool started_ = false;
};

}  // namespace citytwin::traffic
