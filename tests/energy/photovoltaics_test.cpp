// PV and irradiance functions against the pvlib-python test vectors transcribed in
// ../shared/data/energy/pv/pvlib_reference_vectors.md (values repeated here; the file is the citation).
#include "citytwin/energy/photovoltaics.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "citytwin/energy/irradiance.hpp"
#include "citytwin/energy/solar.hpp"

using namespace citytwin::energy;

namespace {
void checkRelative(double actual, double expected, double tolerance = 1e-6) {
  INFO("actual " << actual << " expected " << expected);
  CHECK(std::abs(actual - expected) <= tolerance * std::abs(expected));
}

// Tucson-like test inputs of pvlib's test_irradiance.py (tilt 40, azimuth 180).
struct TestSky {
  double ghi, dni, dhi, zenith, azimuth, airmass;
};
constexpr TestSky kSky[] = {{0, 0, 0, 124.0390863, 352.69550699, NAN},
                            {79.73860422, 316.1949056, 40.46149818, 82.85457044, 66.71410338, 7.58831596},
                            {1042.48031487, 939.95469881, 118.45831879, 10.56413562, 144.76567754, 1.01688136},
                            {257.20751138, 646.22886049, 62.03376265, 72.41687122, 287.04104128, 3.27930443}};
constexpr double kDniExtra = 1321.1655834833093;
}  // namespace

TEST_CASE("PVWatts DC, with and without the low-irradiance correction") {
  checkRelative(pvwattsDc(900, 30, 100, -0.003), 88.65);
  checkRelative(pvwattsDc(100, 30, 100, -0.003, 0.01), 8.9125);
  checkRelative(pvwattsDc(1200, 30, 100, -0.003, 0.01), 118.45);
}

TEST_CASE("PVWatts inverter") {
  checkRelative(pvwattsInverter(90, 100, 0.95), 85.58556604752516);
  CHECK(pvwattsInverter(0, 100) == 0.0);
  // Clipped at the AC rating eta_nom * pdc0.
  CHECK(pvwattsInverter(150, 100, 0.96) == doctest::Approx(96.0));
}

TEST_CASE("PVWatts default system losses") { CHECK(pvwattsLossesPercent() == doctest::Approx(14.08).epsilon(1e-3)); }

TEST_CASE("isotropic sky diffuse") { checkRelative(isotropicSkyDiffuse(40, 100), 88.30222215594891); }

TEST_CASE("Hay-Davies sky diffuse (published to 1e-4 W/m2)") {
  const double expected[] = {0, 27.1775, 102.9949, 33.1909};
  const Plane plane{40, 180};
  for (int i = 0; i < 4; ++i) {
    const TestSky& s = kSky[i];
    CHECK(std::abs(hayDaviesSkyDiffuse(plane, s.zenith, s.azimuth, s.dni, s.dhi, kDniExtra) - expected[i]) < 1e-4);
  }
}

// The printed Perez values are not what pvlib's perez() gives for the printed inputs: they differ by the same
// factor, 0.99990341216, in every row. That factor is E0(day 176) / E0(day 175) of Spencer's extraterrestrial
// series, and Perez is homogeneous of degree one in (DHI, DNI, E0) (clearness and brightness are ratios), so
// the values were produced from the same fixture with every irradiance one day further along that series.
// pvlib's own test hides this behind its 0.01 W/m2 tolerance. With the three irradiances scaled by that
// factor the printed values (10 significant digits) are reproduced to 2e-10 relative; 1e-8 is asserted. With
// the printed inputs unscaled the result is the printed value / 0.99990341 (to the same 1e-8), i.e. within
// 0.005 W/m2.
TEST_CASE("Perez sky diffuse, allsitescomposite1990 (pvlib vectors to 1e-8 relative)") {
  const Plane plane{40, 180};
  const double expected[] = {0, 31.46046871, NAN, 45.45539877};
  const auto spencer = [](int day) {
    const double b = 2 * std::numbers::pi * (day - 1) / 365.0;
    return 1.00011 + 0.034221 * std::cos(b) + 0.00128 * std::sin(b) + 0.000719 * std::cos(2 * b) +
           0.000077 * std::sin(2 * b);
  };
  const double f = spencer(176) / spencer(175);
  CHECK(f == doctest::Approx(0.99990341216).epsilon(1e-10));
  for (int i = 0; i < 4; ++i) {
    const TestSky& s = kSky[i];
    const double dni = i == 2 ? NAN : s.dni;
    const double scaled =
        perezSkyDiffuse(plane, s.zenith, s.azimuth, f * dni, f * s.dhi, f * kDniExtra, s.airmass);
    const double printed = perezSkyDiffuse(plane, s.zenith, s.azimuth, dni, s.dhi, kDniExtra, s.airmass);
    if (std::isnan(expected[i])) {
      CHECK(std::isnan(scaled));  // no DNI: no clearness bin
    } else if (expected[i] == 0) {
      CHECK(scaled == 0.0);  // sun below the horizon, no diffuse light
      CHECK(printed == 0.0);
    } else {
      checkRelative(scaled, expected[i], 1e-8);
      checkRelative(printed, expected[i] / f, 1e-8);
      CHECK(std::abs(printed - expected[i]) < 5e-3);
    }
  }
}

TEST_CASE("Kasten-Young air mass of the Perez vectors (printed to 9 digits)") {
  // pvlib's relative airmass (kastenyoung1989) of the apparent zeniths above; agreement is 3e-9 relative.
  for (int i = 1; i < 4; ++i) checkRelative(relativeAirmass(kSky[i].zenith), kSky[i].airmass, 1e-8);
}

TEST_CASE("Perez bins: an edge belongs to the clearer bin, as numpy.digitize puts it") {
  // epsilon = 1 + DNI / DHI at the zenith (z = 0): DNI = 0.23 DHI gives exactly the 1.23 edge.
  // A horizontal plane sees DHI (1 - F1 + F1 cos z / cos z) = DHI whatever the bin, so the bins show on a
  // tilt.
  CHECK(perezSkyDiffuse({0, 180}, 0, 180, 23.0, 100.0, 1367, 1.0) == doctest::Approx(100.0));
  const Plane tilted{60, 180};
  const double delta = 100.0 * 1.0 / 1367;
  const auto expect = [&](const double f1c[3], const double f2c[3]) {
    const double f1 = std::max(f1c[0] + f1c[1] * delta, 0.0), f2 = f2c[0] + f2c[1] * delta;
    const double a = std::cos(60 * std::numbers::pi / 180);
    return 100.0 * (0.5 * (1 - f1) * (1 + std::cos(60 * std::numbers::pi / 180)) + f1 * a +
                    f2 * std::sin(60 * std::numbers::pi / 180));
  };
  const double bin2F1[3] = {0.330, 0.487, -0.221}, bin2F2[3] = {0.055, -0.064, -0.026};
  const double bin1F1[3] = {0.130, 0.683, -0.151}, bin1F2[3] = {-0.019, 0.066, -0.029};
  checkRelative(perezSkyDiffuse(tilted, 0, 180, 23.0, 100.0, 1367, 1.0), expect(bin2F1, bin2F2), 1e-12);
  checkRelative(perezSkyDiffuse(tilted, 0, 180, 22.999, 100.0, 1367, 1.0), expect(bin1F1, bin1F2), 1e-12);
}

TEST_CASE("ground reflected and plane of array") {
  CHECK(groundReflected(90, 500, 0.2) == doctest::Approx(50.0));
  SkyState sky;
  sky.zenithDeg = kSky[2].zenith;
  sky.sunAzimuthDeg = kSky[2].azimuth;
  sky.ghi = kSky[2].ghi;
  sky.dni = kSky[2].dni;
  sky.dhi = kSky[2].dhi;
  sky.dniExtra = kDniExtra;
  const PlaneIrradiance poa = planeOfArray({40, 180}, sky, SkyDiffuseModel::HayDavies);
  CHECK(poa.skyDiffuse == doctest::Approx(102.9949).epsilon(1e-5));
  CHECK(poa.total() == doctest::Approx(poa.beam + poa.skyDiffuse + poa.groundDiffuse));
  CHECK(poa.beam == doctest::Approx(sky.dni * aoiProjection({40, 180}, sky.zenithDeg, sky.sunAzimuthDeg)));
}

TEST_CASE("Haurwitz clear sky") {
  const double elevation[] = {5, 10, 30, 50, 90};
  const double expected[] = {48.6298687941956, 135.741748091813, 487.894132885425, 778.766689344363, 1035.09203253450};
  for (int i = 0; i < 5; ++i) checkRelative(haurwitzGhi(90 - elevation[i]), expected[i]);
}

TEST_CASE("Ineichen-Perez clear sky") {
  struct Vector {
    double zenith, am, ghi, dni, dhi;
  };
  const Vector vectors[] = {{82.85457044, 6.97935524, 65.49426624, 321.16092181, 25.54562017},
                            {46.0467599, 1.32355476, 704.6968125, 888.90147035, 87.73601277},
                            {10.56413562, 0.93527685, 1044.1230677, 953.24925854, 107.03109696}};
  for (const Vector& v : vectors) {
    const ClearSky sky = ineichenClearSky(v.zenith, v.am, 3.0, 0.0);
    checkRelative(sky.ghi, v.ghi);
    checkRelative(sky.dni, v.dni);
    checkRelative(sky.dhi, v.dhi);
  }
}

TEST_CASE("cell temperature models follow their equations") {
  // SAPM open rack glass/polymer: E exp(a + b WS) + T_air + E/1000 dT.
  CHECK(sapmCellTemperature(1000, 25, 1) == doctest::Approx(1000 * std::exp(-3.56 - 0.075) + 25 + 3));
  CHECK(sapmCellTemperature(0, 12, 3) == doctest::Approx(12));
  // PVsyst freestanding: 800 * 0.9 * 0.9 / 29.
  CHECK(pvsystCellTemperature(800, 20, 2) == doctest::Approx(20 + 800 * 0.9 * 0.9 / 29));
  CHECK(pvsystCellTemperature(800, 20, 2, 15) > pvsystCellTemperature(800, 20, 2, 29));
}
