#include "citytwin/energy/irradiance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {
namespace {
constexpr double kDeg = std::numbers::pi / 180.0;
double cosd(double d) { return std::cos(d * kDeg); }
double sind(double d) { return std::sin(d * kDeg); }
}  // namespace

SkyDiffuseModel skyDiffuseModelFromString(std::string_view name) {
  if (name == "isotropic") return SkyDiffuseModel::Isotropic;
  if (name == "haydavies" || name == "hay-davies") return SkyDiffuseModel::HayDavies;
  if (name == "perez") return SkyDiffuseModel::Perez;
  throw Error("unknown sky diffuse model '" + std::string(name) + "': expected isotropic, haydavies or perez");
}

double aoiProjection(const Plane& p, double zenithDeg, double sunAzimuthDeg) {
  const double projection = cosd(p.tiltDeg) * cosd(zenithDeg) +
                            sind(p.tiltDeg) * sind(zenithDeg) * cosd(sunAzimuthDeg - p.azimuthDeg);
  return std::clamp(projection, -1.0, 1.0);
}

double isotropicSkyDiffuse(double tiltDeg, double dhi) { return dhi * (1.0 + cosd(tiltDeg)) * 0.5; }

double hayDaviesSkyDiffuse(const Plane& p, double zenithDeg, double sunAzimuthDeg, double dni, double dhi,
                           double dniExtra) {
  const double cosTt = std::max(aoiProjection(p, zenithDeg, sunAzimuthDeg), 0.0);
  const double rb = cosTt / std::max(cosd(zenithDeg), 0.01745);
  const double anisotropy = dni / dniExtra;
  return std::max(dhi * (anisotropy * rb + (1.0 - anisotropy) * (1.0 + cosd(p.tiltDeg)) * 0.5), 0.0);
}

double perezSkyDiffuse(const Plane& p, double zenithDeg, double sunAzimuthDeg, double dni, double dhi,
                       double dniExtra, double airmass) {
  if (std::isnan(airmass) || dhi <= 0) return 0.0;
  // Perez et al. (1990) "allsitescomposite1990", as tabulated in pvlib (three decimals). As in pvlib's
  // perez(): bins by numpy.digitize (an edge belongs to the clearer bin), F1 clipped at 0 but F2 not (a
  // negative F2 darkens the horizon), the circumsolar term divided by max(cos z, cos 85°), the sum clipped at
  // 0. No diffuse light gives 0 rather than pvlib's NaN for 0/0.
  static constexpr double kF1[8][3] = {{-0.008, 0.588, -0.062}, {0.130, 0.683, -0.151}, {0.330, 0.487, -0.221},
                                       {0.568, 0.187, -0.295},  {0.873, -0.392, -0.362}, {1.132, -1.237, -0.412},
                                       {1.060, -1.600, -0.359}, {0.678, -0.327, -0.250}};
  static constexpr double kF2[8][3] = {{-0.060, 0.072, -0.022}, {-0.019, 0.066, -0.029}, {0.055, -0.064, -0.026},
                                       {0.109, -0.152, -0.014}, {0.226, -0.462, 0.001},   {0.288, -0.823, 0.056},
                                       {0.264, -1.127, 0.131},  {0.156, -1.377, 0.251}};
  static constexpr double kBins[7] = {1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2};
  const double kappa = 1.041;
  const double z = zenithDeg * kDeg;
  const double eps = ((dhi + dni) / dhi + kappa * z * z * z) / (1.0 + kappa * z * z * z);
  if (std::isnan(eps)) return std::numeric_limits<double>::quiet_NaN();
  const double delta = dhi * airmass / dniExtra;
  int bin = 0;
  while (bin < 7 && eps >= kBins[bin]) ++bin;
  const double f1 = std::max(kF1[bin][0] + kF1[bin][1] * delta + kF1[bin][2] * z, 0.0);
  const double f2 = kF2[bin][0] + kF2[bin][1] * delta + kF2[bin][2] * z;
  const double a = std::max(aoiProjection(p, zenithDeg, sunAzimuthDeg), 0.0);
  const double b = std::max(cosd(zenithDeg), cosd(85.0));
  const double value = dhi * (0.5 * (1.0 - f1) * (1.0 + cosd(p.tiltDeg)) + f1 * a / b + f2 * sind(p.tiltDeg));
  return std::max(value, 0.0);
}

double groundReflected(double tiltDeg, double ghi, double albedo) { return ghi * albedo * (1.0 - cosd(tiltDeg)) * 0.5; }

PlaneIrradiance planeOfArray(const Plane& plane, const SkyState& sky, SkyDiffuseModel model, double albedo) {
  PlaneIrradiance out;
  out.cosIncidence = sky.zenithDeg < 90.0 ? std::max(aoiProjection(plane, sky.zenithDeg, sky.sunAzimuthDeg), 0.0) : 0.0;
  out.beam = sky.dni * out.cosIncidence;
  switch (model) {
    case SkyDiffuseModel::Isotropic: out.skyDiffuse = isotropicSkyDiffuse(plane.tiltDeg, sky.dhi); break;
    case SkyDiffuseModel::HayDavies:
      out.skyDiffuse = hayDaviesSkyDiffuse(plane, sky.zenithDeg, sky.sunAzimuthDeg, sky.dni, sky.dhi, sky.dniExtra);
      break;
    case SkyDiffuseModel::Perez:
      // Below the horizon there is no meaningful air mass: fall back to the isotropic sky.
      out.skyDiffuse = std::isfinite(sky.airmass)
                           ? perezSkyDiffuse(plane, sky.zenithDeg, sky.sunAzimuthDeg, sky.dni, sky.dhi, sky.dniExtra,
                                             sky.airmass)
                           : isotropicSkyDiffuse(plane.tiltDeg, sky.dhi);
      break;
  }
  out.groundDiffuse = groundReflected(plane.tiltDeg, sky.ghi, albedo);
  return out;
}

double haurwitzGhi(double apparentZenithDeg) {
  const double c = cosd(apparentZenithDeg);
  if (c <= 0) return 0.0;
  return 1098.0 * c * std::exp(-0.059 / c);
}

ClearSky ineichenClearSky(double zenithDeg, double am, double tl, double h, double i0) {
  ClearSky out;
  const double c = cosd(zenithDeg);
  if (c <= 0) return out;
  const double cg1 = 5.09e-5 * h + 0.868;
  const double cg2 = 3.92e-5 * h + 0.0387;
  const double fh1 = std::exp(-h / 8000.0);
  const double fh2 = std::exp(-h / 1250.0);
  out.ghi = std::max(cg1 * i0 * c * std::exp(-cg2 * am * (fh1 + fh2 * (tl - 1.0))), 0.0);
  const double b = 0.664 + 0.163 / fh1;
  const double bnci = std::max(i0 * b * std::exp(-0.09 * am * (tl - 1.0)), 0.0);
  const double bnci2 = std::max(out.ghi * (1.0 - (0.1 - 0.2 * std::exp(-tl)) / (0.1 + 0.882 / fh1)) / c, 0.0);
  out.dni = std::min(bnci, bnci2);
  out.dhi = out.ghi - out.dni * c;
  return out;
}

}  // namespace citytwin::energy
