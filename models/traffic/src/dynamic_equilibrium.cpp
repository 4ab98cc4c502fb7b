#include "citytwin/traffic/dynamic_equilibrium.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <queue>

#include "citytwin/core/splitmix64.hpp"

namespace citytwin::traffic {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Link travel times per interval from one simulation.
class LinkTimes {
 public:
  LinkTimes(const MicroNetwork& network, double intervalS, double endS)
      : network_(network),
        interval_(intervalS),
        bins_(static_cast<std::size_t>(std::ceil(endS / intervalS)) + 1) {
    freeFlow_.resize(network.links.size());
    for (std::size_t l = 0; l < network.links.size(); ++l)
      freeFlow_[l] = network.links[l].lengthM / std::max(network.links[l].speedLimit, 0.1);
    times_.assign(network.links.size() * bins_, 0.0);
    for (std::size_t l = 0; l < network.links.size(); ++l)
      std::fill_n(times_.begin() + static_cast<std::ptrdiff_t>(l * bins_), bins_, freeFlow_[l]);
  }

  // Stores the counters of interval `bin`.
  void record(std::size_t bin, const std::vector<Microsimulation::LinkCounters>& counters) {
    if (bin >= bins_) return;
    for (std::size_t l = 0; l < counters.size(); ++l) {
      const auto& c = counters[l];
      double time = freeFlow_[l];
      if (c.exits > 0)
        time = std::max(time, c.vehicleSeconds / static_cast<double>(c.exits));
      else if (c.vehicleSeconds > 0.0)  // nobody got out: at least everything spent there waiting
        time = std::max(time, c.vehicleSeconds);
      times_[l * bins_ + bin] = time;
    }
  }

  // Time to traverse `link` when entering it at `t` (the last interval's time after the end).
  double at(std::int32_t link, double t) const {
    const auto bin = std::min(bins_ - 1, static_cast<std::size_t>(std::max(0.0, t) / interval_));
    return times_[static_cast<std::size_t>(link) * bins_ + bin];
  }

  // A route's time from `departS`, first link included.
  double routeTime(const std::vector<std::int32_t>& route, double departS) const {
    double t = departS;
    for (std::int32_t link : route) t += at(link, t);
    return t - departS;
  }

  // Fastest route from the start of `first` (entered at departS) to the end of `last` on these times
  // (time-dependent Dijkstra over links, open links and movements only). Empty when there is none.
  std::vector<std::int32_t> fastest(std::int32_t first, std::int32_t last, double departS,
                                    std::vector<double>& label, std::vector<std::int32_t>& previous,
                                    std::vector<std::int32_t>& touched) const {
    for (std::int32_t link : touched) {
      label[link] = kInf;
      previous[link] = -1;
    }
    touched.clear();
    using Entry = std::pair<double, std::int32_t>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
    label[first] = departS + at(first, departS);
    touched.push_back(first);
    heap.emplace(label[first], first);
    while (!heap.empty()) {
      const auto [t, link] = heap.top();
      heap.pop();
      if (t > label[link]) continue;
      if (link == last) break;
      for (const Movement* m = network_.movementsBegin(link); m != network_.movementsEnd(link); ++m) {
        const std::int32_t next = m->toLink;
        if (network_.links[next].closed) continue;
        const double arrival = t + at(next, t);
        if (arrival < label[next]) {
          if (label[next] == kInf) touched.push_back(next);
          label[next] = arrival;
          previous[next] = link;
          heap.emplace(arrival, next);
        }
      }
    }
    std::vector<std::int32_t> route;
    if (label[last] == kInf) return route;
    for (std::int32_t link = last; link >= 0; link = link == first ? -1 : previous[link])
      route.push_back(link);
    std::reverse(route.begin(), route.end());
    return route;
  }

 private:
  const MicroNetwork& network_;
  double interval_;
  std::size_t bins_;
  std::vector<double> freeFlow_, times_;
};

LinkTimes simulate(const MicroNetwork& network, const std::vector<VehicleType>& types,
                   const MicrosimulationOptions& simulation, const std::vector<TripRequest>& trips,
                   const DynamicEquilibriumOptions& options) {
  Microsimulation sim(network, types, simulation);
  for (const TripRequest& trip : trips) sim.addTrip(trip);
  LinkTimes times(network, options.intervalS, options.endS);
  std::size_t bin = 0;
  for (double end = options.intervalS; !sim.finished() || bin == 0; end += options.intervalS, ++bin) {
    sim.resetLinkCounters();
    sim.runUntil(std::min(end, options.endS));
    times.record(bin, sim.linkCounters());
    if (end >= options.endS) break;
  }
  return times;
}

}  // namespace

DynamicEquilibriumResult iterateDynamicEquilibrium(const MicroNetwork& network,
                                                   const std::vector<VehicleType>& types,
                                                   const MicrosimulationOptions& simulation,
                                                   std::vector<TripRequest>& trips,
                                                   const DynamicEquilibriumOptions& options) {
  DynamicEquilibriumResult result;
  if (trips.empty() || options.maxIterations <= 0) return result;
  const std::size_t m = network.links.size();
  constexpr std::size_t kTripsPerTask = 64;  // fixed chunks; each trip's route depends on nothing else
  for (int iteration = 1;; ++iteration) {
    const LinkTimes times = simulate(network, types, simulation, trips, options);
    std::vector<double> current(trips.size()), best(trips.size());
    std::vector<std::vector<std::int32_t>> fastest(trips.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, trips.size(), kTripsPerTask),
                      [&](const tbb::blocked_range<std::size_t>& range) {
                        std::vector<double> label(m, kInf);
                        std::vector<std::int32_t> previous(m, -1), touched;
                        for (std::size_t k = range.begin(); k < range.end(); ++k) {
                          const TripRequest& trip = trips[k];
                          current[k] = times.routeTime(trip.route, trip.departS);
                          fastest[k] = times.fastest(trip.route.front(), trip.route.back(), trip.departS,
                                                     label, previous, touched);
                          best[k] =
                              fastest[k].empty() ? current[k] : times.routeTime(fastest[k], trip.departS);
                          if (best[k] > current[k]) best[k] = current[k];
                        }
                      });
    double sumCurrent = 0.0, sumBest = 0.0;
    for (std::size_t k = 0; k < trips.size(); ++k) {  // in trip order: the same sum for any thread count
      sumCurrent += current[k];
      sumBest += best[k];
    }
    const double gap = sumCurrent > 0.0 ? (sumCurrent - sumBest) / sumCurrent : 0.0;
    result.iterations = iteration;
    result.relativeGap = gap;
    result.gaps.push_back(gap);
    if (options.onIteration) options.onIteration(iteration, gap);
    if (gap <= options.targetRelativeGap || iteration >= options.maxIterations) break;
    // The method of successive averages: after iteration i a share 1 / (i + 1) of the trips switch.
    const double share = 1.0 / (iteration + 1.0);
    for (std::size_t k = 0; k < trips.size(); ++k) {
      if (fastest[k].empty() || best[k] >= current[k] || fastest[k] == trips[k].route) continue;
      const std::uint64_t key =
          splitMix64(options.seed ^ splitMix64(k * 0x9E3779B1ULL + static_cast<std::uint64_t>(iteration)));
      if (unitInterval(key) >= share) continue;
      trips[k].route = std::move(fastest[k]);
      ++result.reroutedTrips;
    }
  }
  return result;
}

}  // namespace citytwin::traffic
