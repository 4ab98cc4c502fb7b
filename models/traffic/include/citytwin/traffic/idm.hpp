#pragma once

namespace citytwin::traffic {

// Intelligent Driver Model (Treiber, Hennecke & Helbing 2000). Defaults are the paper's highway values.
struct IdmParameters {
  double desiredSpeed = 120.0 / 3.6;  // v0 (m/s)
  double timeHeadway = 1.6;           // T (s)
  double minimumGap = 2.0;            // s0 (m)
  double acceleration = 0.73;         // a (m/s^2)
  double comfortableDeceleration = 1.67;  // b (m/s^2)
  double exponent = 4.0;              // delta
  double length = 5.0;                // vehicle length (m)
};

// dv/dt for speed v, bumper-to-bumper gap to the leader and approach rate dv = v - v_leader.
// `desiredSpeed` may be below the parameters' v0 (a speed limit). A free road is gap = infinity.
double idmAcceleration(const IdmParameters& p, double desiredSpeed, double speed, double gap, double approachRate);

// Steady state: the gap at which a platoon drives at speed v, s(v) = (s0 + vT) / sqrt(1 - (v/v0)^delta).
double idmEquilibriumGap(const IdmParameters& p, double speed);
// The homogeneous equilibrium speed at a density (vehicles per metre of lane), by bisection.
double idmEquilibriumSpeed(const IdmParameters& p, double densityPerMetre);
// Flow (veh/s per lane) of the homogeneous equilibrium at a density: the fundamental diagram.
double idmEquilibriumFlow(const IdmParameters& p, double densityPerMetre);
// Maximum of the fundamental diagram (veh/s per lane) and the speed where it is reached.
struct IdmCapacity {
  double flowPerSecond = 0.0;
  double speed = 0.0;
  double densityPerMetre = 0.0;
};
IdmCapacity idmCapacity(const IdmParameters& p);

}  // namespace citytwin::traffic
