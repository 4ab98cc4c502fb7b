#pragma once

namespace citytwin::energy {

// The five conductances and one capacity of the ISO 13790 simple hourly model (W/K and J/K).
struct FiveR1CParameters {
  double hVentilation = 0;      // H_ve: air node to supply air
  double hAirSurface = 0;       // H_tr,is: air node to internal surfaces
  double hWindow = 0;           // H_tr,w: surfaces to outdoor through glazing (no mass)
  double hSurfaceMass = 0;      // H_tr,ms: surfaces to mass
  double hMassOutdoor = 0;      // H_tr,em: mass to outdoor through opaque elements
  double capacity = 0;          // C_m
  double massArea = 0;          // A_m
  double totalArea = 0;         // A_t, all internal surfaces
};

// ISO 13790:2008 C.2-C.3 opaque conductances from H_op (sum of b U A of opaque elements) and the split H_tr,ms.
double massToOutdoorConductance(double hOpaque, double hSurfaceMass);

struct ZoneInputs {
  double outdoorC = 0;
  double supplyC = 0;      // ventilation supply temperature (outdoor air without heat recovery)
  double internalW = 0;    // sensible internal gains
  double solarW = 0;       // solar gains, net of radiation to the sky
};

struct ZoneStep {
  double airC = 0;
  double surfaceC = 0;
  double meanMassC = 0;    // mean over the hour
  double massEndC = 0;     // at the end of the hour: the next hour's start
  double hvacW = 0;        // heating (> 0) or cooling (< 0) delivered to the air node
};

// Setpoints and plant capacity; infinite values disable heating or cooling (free floating).
struct ZoneControl {
  double heatingSetpointC = -1e300;
  double coolingSetpointC = 1e300;
  double maxHeatingW = 1e300;
  double maxCoolingW = 1e300;
};

// One zone of the 5R1C network, stepped one hour at a time with ISO 13790 Annex C's Crank-Nicolson scheme.
class FiveR1CZone {
 public:
  explicit FiveR1CZone(const FiveR1CParameters& p, double stepSeconds = 3600.0);

  // The hour with a given heating/cooling power at the air node.
  ZoneStep step(double massStartC, const ZoneInputs& in, double hvacW) const;
  // The hour with the power that holds the air temperature inside the setpoints (ISO 13790 C.4): none when the
  // free-floating temperature is inside them, else exactly what brings it to the nearest setpoint, capped.
  ZoneStep controlledStep(double massStartC, const ZoneInputs& in, const ZoneControl& control) const;

  // The step is affine in its inputs: air temperature = sum of these coefficients times (mass start, outdoor,
  // supply, internal, solar, hvac); the same for the end-of-hour mass temperature. Used by the city model to
  // step many buildings with a few multiply-adds each.
  struct Affine {
    double massStart, outdoor, supply, internal, solar, hvac;
  };
  Affine airResponse() const { return air_; }
  Affine massResponse() const { return mass_; }

 private:
  FiveR1CParameters p_;
  double dt_;
  double h1_, h2_, h3_;
  Affine air_{}, mass_{};
};

}  // namespace citytwin::energy
