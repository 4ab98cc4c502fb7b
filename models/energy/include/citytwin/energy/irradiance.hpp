#pragma once

#include <string_view>

namespace citytwin::energy {

// How diffuse sky irradiance is transposed onto a tilted plane.
enum class SkyDiffuseModel { Isotropic, HayDavies, Perez };
SkyDiffuseModel skyDiffuseModelFromString(std::string_view name);   // "isotropic", "haydavies", "perez"; throws Error

// A plane by its tilt from horizontal (0 = facing up, 90 = vertical) and the compass bearing of its normal.
struct Plane {
  double tiltDeg = 0;
  double azimuthDeg = 180;
};

// cos(angle of incidence) of the beam on a plane, not clipped (pvlib's aoi_projection).
double aoiProjection(const Plane& plane, double zenithDeg, double sunAzimuthDeg);

// Sky diffuse irradiance on the plane (W/m2), following pvlib.irradiance.isotropic / haydavies / perez
// (Perez 1990 "allsitescomposite1990" coefficients). `airmass` is the relative air mass (Perez only).
double isotropicSkyDiffuse(double tiltDeg, double dhi);
double hayDaviesSkyDiffuse(const Plane& plane, double zenithDeg, double sunAzimuthDeg, double dni, double dhi,
                           double dniExtra);
double perezSkyDiffuse(const Plane& plane, double zenithDeg, double sunAzimuthDeg, double dni, double dhi,
                       double dniExtra, double airmass);
double groundReflected(double tiltDeg, double ghi, double albedo);

// Plane-of-array irradiance split into its beam, sky-diffuse and ground-reflected parts (W/m2).
struct PlaneIrradiance {
  double beam = 0;
  double skyDiffuse = 0;
  double groundDiffuse = 0;
  double cosIncidence = 0;   // clipped at 0
  double total() const { return beam + skyDiffuse + groundDiffuse; }
};

struct SkyState {
  double zenithDeg = 90, sunAzimuthDeg = 180;
  double ghi = 0, dni = 0, dhi = 0;
  double dniExtra = 1367;
  double airmass = 0;
};

PlaneIrradiance planeOfArray(const Plane& plane, const SkyState& sky, SkyDiffuseModel model, double albedo = 0.2);

// Clear-sky global horizontal irradiance (Haurwitz) for an apparent zenith angle.
double haurwitzGhi(double apparentZenithDeg);

struct ClearSky {
  double ghi = 0, dni = 0, dhi = 0;
};
// Ineichen-Perez clear sky (pvlib.clearsky.ineichen) for zenith, absolute air mass, Linke turbidity and altitude.
ClearSky ineichenClearSky(double apparentZenithDeg, double absoluteAirmass, double linkeTurbidity, double altitudeM,
                          double extraterrestrial = 1364.0);

}  // namespace citytwin::energy
