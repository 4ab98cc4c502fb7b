#include "citytwin/traffic/trip_costs.hpp"

namespace citytwin::traffic {

TripCosts chargeTrips(const std::vector<TripRecord>& trips, const std::vector<double>& remainingFreeFlowS,
                      const std::vector<UnroutedTrip>& unrouted, double nowS) {
  TripCosts costs;
  auto chargeImpossible = [&](double requestedDepartS, double freeFlowS) {
    const double charged = nowS - requestedDepartS + freeFlowS;
    costs.delayS += charged;  // nothing of the journey was made: all of it is lost
    costs.chargedTimeS += charged;
  };
  for (std::size_t k = 0; k < trips.size(); ++k) {
    const TripRecord& trip = trips[k];
    if (trip.arrived()) {
      ++costs.requested;
      ++costs.arrived;
      costs.delayS += trip.delayS + (trip.departS - trip.requestedDepartS);
      costs.chargedTimeS += trip.arrivalS - trip.requestedDepartS;
      continue;
    }
    if (trip.requestedDepartS > nowS) continue;
    ++costs.requested;
    if (trip.stranded) {
      chargeImpossible(trip.requestedDepartS, trip.freeFlowS);
    } else if (trip.departS >= 0.0) {  // in the network
      costs.delayS += trip.delayS + (trip.departS - trip.requestedDepartS);
      costs.chargedTimeS += nowS - trip.requestedDepartS + remainingFreeFlowS[k];
    } else {  // waiting to enter
      costs.delayS += nowS - trip.requestedDepartS;
      costs.chargedTimeS += nowS - trip.requestedDepartS + remainingFreeFlowS[k];
    }
  }
  for (const UnroutedTrip& trip : unrouted) {
    if (trip.requestedDepartS > nowS) continue;
    ++costs.requested;
    chargeImpossible(trip.requestedDepartS, trip.freeFlowS);
  }
  return costs;
}

}  // namespace citytwin::traffic
