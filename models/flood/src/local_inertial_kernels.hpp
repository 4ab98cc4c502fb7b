#pragma once

// The inner loops of the local-inertial scheme over one row, free of the engine's state so that the
// same code serves x faces, y faces and every precision. Each loop is a branch-free map that GCC
// vectorises at -O3 without fast-math, so vector lanes and remainder iterations give the same bits.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "fast_math.hpp"

namespace citytwin::flood::detail {

// Each row loop below is compiled twice: for the x86-64 baseline (SSE2, 4 floats per vector) and for
// AVX2 (8 floats), chosen once per engine from the CPU (`CITYTWIN_FLOOD_KERNELS=baseline` in the
// environment forces the baseline). Both do the same IEEE operations on every element (AVX2 without
// FMA, so nothing is contracted; no approximate reciprocals) and the explicit reduction lanes are
// 16 bytes in both, so the results are the same bits.
enum class KernelIsa { Baseline, Avx2 };

#if defined(__x86_64__) && defined(__GNUC__)
#define CITYTWIN_FLOOD_AVX2 __attribute__((target("avx2")))
inline KernelIsa detectKernelIsa() {
  const char* forced = std::getenv("CITYTWIN_FLOOD_KERNELS");
  if (forced != nullptr && std::strcmp(forced, "baseline") == 0) return KernelIsa::Baseline;
  return __builtin_cpu_supports("avx2") ? KernelIsa::Avx2 : KernelIsa::Baseline;
}
#else
#define CITYTWIN_FLOOD_AVX2
inline KernelIsa detectKernelIsa() {
  return KernelIsa::Baseline;
}
#endif

template <typename Real>
struct InertialFaceConstants {
  Real gdt;         // g * dt
  Real gdtOverDx;   // g * dt / dx, times the water-surface difference: the pressure term
  Real threshold;   // faces with less flow depth carry no flux
  Real donorLimit;  // 0.25 * dx / dt: largest outflow per metre of donor depth
  Real friction;    // g * dt * n^2 where Manning's n is uniform
  Real theta;       // de Almeida weighting of the face's own old discharge
  Real sideWeight;  // (1 - theta) / 2 for each neighbouring face
  Real checkerboardDamping;  // the filter's share of kCheckerboardDamping / 16 (3 x 3 stencil)
};

// Fraction of a grid-scale checkerboard's discharge removed per step. The local-inertial scheme has no
// dissipation of its own: without friction (deep water) the checkerboard mode is neutrally stable, and
// near the Courant limit its amplification is a rotation by ~165 degrees per step whose invariant is a
// long, thin ellipse, so every change of the time step (adaptive steps, steps cut short at output or
// coupling times, the advective limit of thin films flickering from step to step) moves it onto a
// larger ellipse: the checkerboard grows step after step in deep ponds. De Almeida's theta damps it by
// 2 (1 - theta) per step; the filter below, acting through the old discharges in the same way, tops
// that up to this fraction. Any such damping d lowers the mode's stability limit to
// (c dt / dx)^2 < (2 - d) / 4, so the step is scaled by sqrt(1 - d / 2) (grid_engine.hpp): at
// theta = 1, 0.95 of Bates et al.'s step, and the mode then shrinks by sqrt(1 - d) = 0.89 per step at
// the step's Courant limit. 0.2 is measured: 0.05 let the filling pond of tests/flood/solver_unit_test.cpp
// grow a 1 cm checkerboard; with bumps twice as high and 150 mm/h, 0.1 let it grow 9 mm, 0.15 did not. The
// filter's stencil is the product of the second differences across and along the face rows, so flow that
// varies in one direction only (a 1-D channel, the flat-plane and EA Test 3 cases) is untouched, and a smooth
// 2-D flow of wavelength L cells loses a fraction 0.2 sin^4(pi / L) of its discharge per step (1e-4 at L =
// 20).
inline constexpr double kCheckerboardDamping = 0.2;

// Old discharges around a run of parallel faces, all indexed like the faces themselves: `centre` the
// faces, `before`/`after` the parallel faces one cell upstream and downstream along the flow (theta
// weighting), `sideA`/`sideB` the runs of parallel faces on either side across the flow. The
// checkerboard filter reads centre, sideA and sideB at i - 1, i and i + 1, so those must exist.
template <typename Real>
struct OldFaceDischarges {
  const Real* centre;
  const Real* before;
  const Real* after;
  const Real* sideA;
  const Real* sideB;
};

// New unit discharges of `count` faces; face k lies between the "low" cell (west or north) and the
// "high" cell (east or south). kWeighted: de Almeida theta < 1, reading the old discharges of the two
// neighbouring parallel faces. kUniformN: one Manning n everywhere, so no n^2 loads. kDamped: apply the
// checkerboard filter (left out only where a face has no neighbours on both sides).
template <typename Real, bool kWeighted, bool kUniformN, bool kDamped>
[[gnu::always_inline]] inline void inertialFaceLoop(
    std::size_t count, const Real* __restrict zLow, const Real* __restrict zHigh, const Real* __restrict hLow,
    const Real* __restrict hHigh, const Real* __restrict n2Low, const Real* __restrict n2High,
    const OldFaceDischarges<Real>& old, Real* __restrict qNew, const InertialFaceConstants<Real>& k) {
  const Real threshold = k.threshold, donorLimit = k.donorLimit, gdt = k.gdt, gdtOverDx = k.gdtOverDx;
  const Real* __restrict qOld = old.centre;
  const Real* __restrict qBefore = old.before;
  const Real* __restrict qAfter = old.after;
  const Real* __restrict sideA = old.sideA;
  const Real* __restrict sideB = old.sideB;
  for (std::size_t i = 0; i < count; ++i) {
    const Real zL = zLow[i], zR = zHigh[i], hL = hLow[i], hR = hHigh[i];
    const Real etaL = zL + hL, etaR = zR + hR;
    const Real hFlow = std::max(etaL, etaR) - std::max(zL, zR);
    const Real hf = std::max(hFlow, threshold);
    const Real q0 = qOld[i];
    Real qTheta = q0;
    if constexpr (kWeighted) qTheta = k.theta * q0 + k.sideWeight * (qBefore[i] + qAfter[i]);
    if constexpr (kDamped) {
      const Real centre = (qOld[i - 1] + qOld[i + 1]) - Real(2) * q0;
      const Real a = (sideA[i - 1] + sideA[i + 1]) - Real(2) * sideA[i];
      const Real b = (sideB[i - 1] + sideB[i + 1]) - Real(2) * sideB[i];
      qTheta -= k.checkerboardDamping * ((a + b) - Real(2) * centre);
    }
    Real friction = k.friction;
    if constexpr (!kUniformN) friction = gdt * (Real(0.5) * (n2Low[i] + n2High[i]));
    const Real r = inverseCubeRoot(hf);  // hf^(-7/3) = r^7 without a division or pow
    const Real r2 = r * r;
    Real q =
        (qTheta - gdtOverDx * hf * (etaR - etaL)) / (Real(1) + friction * std::abs(q0) * (r2 * r2 * r2 * r));
    // A face may move at most a quarter of the donor cell's water per step, so no cell can be
    // drained below zero by its four faces together: depths stay non-negative, mass is conserved.
    q = std::min(std::max(q, -hR * donorLimit), hL * donorLimit);
    qNew[i] = hFlow > threshold ? q : Real(0);
  }
}

#define CITYTWIN_FLOOD_FACE_ARGS                                                               \
  std::size_t count, const Real *zLow, const Real *zHigh, const Real *hLow, const Real *hHigh, \
      const Real *n2Low, const Real *n2High, const OldFaceDischarges<Real>&old, Real *qNew,    \
      const InertialFaceConstants<Real>&k
template <typename Real, bool kWeighted, bool kUniformN, bool kDamped>
void inertialFaceRowBaseline(CITYTWIN_FLOOD_FACE_ARGS) {
  inertialFaceLoop<Real, kWeighted, kUniformN, kDamped>(count, zLow, zHigh, hLow, hHigh, n2Low, n2High, old,
                                                        qNew, k);
}
template <typename Real, bool kWeighted, bool kUniformN, bool kDamped>
CITYTWIN_FLOOD_AVX2 void inertialFaceRowAvx2(CITYTWIN_FLOOD_FACE_ARGS) {
  inertialFaceLoop<Real, kWeighted, kUniformN, kDamped>(count, zLow, zHigh, hLow, hHigh, n2Low, n2High, old,
                                                        qNew, k);
}
template <typename Real, bool kWeighted, bool kUniformN, bool kDamped>
inline void inertialFaceRowFor(KernelIsa isa, CITYTWIN_FLOOD_FACE_ARGS) {
  if (isa == KernelIsa::Avx2)
    inertialFaceRowAvx2<Real, kWeighted, kUniformN, kDamped>(count, zLow, zHigh, hLow, hHigh, n2Low, n2High,
                                                             old, qNew, k);
  else
    inertialFaceRowBaseline<Real, kWeighted, kUniformN, kDamped>(count, zLow, zHigh, hLow, hHigh, n2Low,
                                                                 n2High, old, qNew, k);
}

template <typename Real, bool kDamped>
inline void inertialFaceRow(KernelIsa isa, bool weighted, bool uniformN, CITYTWIN_FLOOD_FACE_ARGS) {
  if (weighted) {
    if (uniformN)
      inertialFaceRowFor<Real, true, true, kDamped>(isa, count, zLow, zHigh, hLow, hHigh, n2Low, n2High, old,
                                                    qNew, k);
    else
      inertialFaceRowFor<Real, true, false, kDamped>(isa, count, zLow, zHigh, hLow, hHigh, n2Low, n2High, old,
                                                     qNew, k);
  } else {
    if (uniformN)
      inertialFaceRowFor<Real, false, true, kDamped>(isa, count, zLow, zHigh, hLow, hHigh, n2Low, n2High, old,
                                                     qNew, k);
    else
      inertialFaceRowFor<Real, false, false, kDamped>(isa, count, zLow, zHigh, hLow, hHigh, n2Low, n2High,
                                                      old, qNew, k);
  }
}
#undef CITYTWIN_FLOOD_FACE_ARGS

// The running maxima of one run of cells (a row or a part of one), for the city model's and the .par
// run's result rasters. Cell-centred unit discharge: the mean of the faces on either side in each
// direction; speed = |q| / h. Cells at or under the wet threshold keep their maxima. A branch-free map
// (vectorised; sqrt and division are exact in every lane).
template <typename Real>
struct InertialMaxima {
  float* maxDepth;
  float* maxSpeed;
  float* maxHazard;   // depth * (speed + 0.5)
  float* firstWet;    // s, -1 until wet
  float now;          // the time at the end of the step
  Real wet;           // wet threshold
  Real blocked;       // z at or above this: a blocked cell, never wet
  bool firstWetDone;  // every open cell of the run has its first wetting time: the array is not read
};

// Returns whether every open cell of the run now has a first wetting time.
template <typename Real>
[[gnu::always_inline]] inline bool trackInertialMaxima(std::size_t n, const Real* __restrict h,
                                                       const Real* __restrict z, const Real* __restrict qx,
                                                       const Real* __restrict qyNorth,
                                                       const Real* __restrict qySouth,
                                                       const InertialMaxima<Real>& m, std::size_t offset) {
  float* __restrict maxDepth = m.maxDepth + offset;
  float* __restrict maxSpeed = m.maxSpeed + offset;
  float* __restrict maxHazard = m.maxHazard + offset;
  const Real wetDepth = m.wet;
  for (std::size_t k = 0; k < n; ++k) {
    const Real depth = h[k];
    const bool wet = depth > wetDepth;
    const Real qxc = Real(0.5) * (qx[k] + qx[k + 1]);
    const Real qyc = Real(0.5) * (qyNorth[k] + qySouth[k]);
    const Real speed = std::sqrt(qxc * qxc + qyc * qyc) / std::max(depth, wetDepth);
    const float d = static_cast<float>(depth), u = static_cast<float>(speed);
    const float hazard = static_cast<float>(depth * (speed + Real(0.5)));
    maxDepth[k] = wet ? std::max(maxDepth[k], d) : maxDepth[k];
    maxSpeed[k] = wet ? std::max(maxSpeed[k], u) : maxSpeed[k];
    maxHazard[k] = wet ? std::max(maxHazard[k], hazard) : maxHazard[k];
  }
  if (m.firstWetDone) return true;
  float* __restrict firstWet = m.firstWet + offset;
  const float now = m.now;
  int pending = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const bool wet = h[k] > wetDepth;
    const float first = firstWet[k] < 0.0f && wet ? now : firstWet[k];
    firstWet[k] = first;
    pending += first < 0.0f && z[k] < m.blocked ? 1 : 0;
  }
  return pending == 0;
}

template <typename Real>
bool inertialMaximaRowBaseline(std::size_t n, const Real* h, const Real* z, const Real* qx,
                               const Real* qyNorth, const Real* qySouth, const InertialMaxima<Real>& m) {
  return trackInertialMaxima(n, h, z, qx, qyNorth, qySouth, m, 0);
}
template <typename Real>
CITYTWIN_FLOOD_AVX2 bool inertialMaximaRowAvx2(std::size_t n, const Real* h, const Real* z, const Real* qx,
                                               const Real* qyNorth, const Real* qySouth,
                                               const InertialMaxima<Real>& m) {
  return trackInertialMaxima(n, h, z, qx, qyNorth, qySouth, m, 0);
}
// The maxima of a whole row, in a pass of its own (the depth update's chunks call the same loop).
template <typename Real>
inline bool inertialMaximaRow(KernelIsa isa, std::size_t n, const Real* h, const Real* z, const Real* qx,
                              const Real* qyNorth, const Real* qySouth, const InertialMaxima<Real>& m) {
  return isa == KernelIsa::Avx2 ? inertialMaximaRowAvx2(n, h, z, qx, qyNorth, qySouth, m)
                                : inertialMaximaRowBaseline(n, h, z, qx, qyNorth, qySouth, m);
}

// Per-row results of the depth update, for the mass balance and the next time step.
struct InertialRowSums {
  double volume = 0.0;   // sum of new depths
  double clipped = 0.0;  // round-off below zero set to zero
  double deepest = 0.0;
  double fastest = 0.0;  // largest outgoing face discharge over the cell's depth
  bool firstWetDone = true;  // with maxima: every open cell of the row has its first wetting time
};

// Continuity for one row: hNew = h + dt/dx * (net face inflow) + rain, clamped at zero. The update is a pure
// map over a chunk (vectorised by the compiler). The reductions then run in explicit 16-byte vector
// lanes, combined in lane order at the end: GCC does not vectorise floating-point reductions without
// fast-math, and one serial chain of double adds per cell would cost more than the update itself. The
// order of every operation depends on the row only, never on the threads.
// With `maxima`, each chunk's new depths also update the running maxima while they are in cache.
template <typename Real, typename RainOf>
[[gnu::always_inline]] inline InertialRowSums inertialDepthLoop(
    std::size_t nx, Real dtOverDx, Real threshold, Real blocked, const Real* __restrict z,
    const Real* __restrict h, Real* __restrict hNew, const Real* __restrict qx,
    const Real* __restrict qyNorth, const Real* __restrict qySouth, RainOf rainOf,
    const InertialMaxima<Real>* maxima) {
  bool firstWetDone = true;
  typedef Real Lanes __attribute__((vector_size(16)));
  typedef double DoubleLanes __attribute__((vector_size(16)));
  constexpr std::size_t kWidth = 16 / sizeof(Real);
  constexpr std::size_t kChunk = 512;
  Real value[kChunk];
  Real speed[kChunk];
  const Lanes zero{};
  Lanes clip{}, top{}, fast{};
  DoubleLanes sumLow{}, sumHigh{};
  for (std::size_t c0 = 0; c0 < nx; c0 += kChunk) {
    const std::size_t n = std::min(kChunk, nx - c0);
    const Real* __restrict hc = h + c0;
    const Real* __restrict zc = z + c0;
    const Real* __restrict qxc = qx + c0;
    const Real* __restrict qnc = qyNorth + c0;
    const Real* __restrict qsc = qySouth + c0;
    for (std::size_t k = 0; k < n; ++k) {
      // Outgoing flow only: it is what the donor limit bounds (inflow into a dry cell is not fast flow).
      const Real largestFlow = std::max(std::max(-qxc[k], qxc[k + 1]), std::max(-qnc[k], qsc[k]));
      speed[k] = largestFlow / std::max(hc[k], threshold);
      value[k] = hc[k] + dtOverDx * ((qxc[k] - qxc[k + 1]) + (qnc[k] - qsc[k])) +
                 (zc[k] < blocked ? rainOf(c0 + k) : Real(0));
    }
    Real* out = hNew + c0;
    std::size_t k0 = 0;
    for (; k0 + kWidth <= n; k0 += kWidth) {
      Lanes v, u;
      std::memcpy(&v, value + k0, sizeof v);
      std::memcpy(&u, speed + k0, sizeof u);
      const Lanes kept = v < zero ? zero : v;
      std::memcpy(out + k0, &kept, sizeof kept);
      clip += v < zero ? -v : zero;
      top = kept > top ? kept : top;
      fast = u > fast ? u : fast;
      if constexpr (kWidth == 4) {
        sumLow += __builtin_convertvector(__builtin_shufflevector(kept, kept, 0, 1), DoubleLanes);
        sumHigh += __builtin_convertvector(__builtin_shufflevector(kept, kept, 2, 3), DoubleLanes);
      } else {
        sumLow += __builtin_convertvector(kept, DoubleLanes);
      }
    }
    for (std::size_t k = k0; k < n; ++k) {
      const std::size_t lane = k - k0;
      const Real kept = value[k] < 0 ? Real(0) : value[k];
      out[k] = kept;
      clip[lane] += value[k] < 0 ? -value[k] : Real(0);
      top[lane] = kept > top[lane] ? kept : top[lane];
      fast[lane] = speed[k] > fast[lane] ? speed[k] : fast[lane];
      if (lane < 2)
        sumLow[lane] += static_cast<double>(kept);
      else
        sumHigh[lane - 2] += static_cast<double>(kept);
    }
    if (maxima != nullptr)
      firstWetDone = trackInertialMaxima(n, out, zc, qxc, qnc, qsc, *maxima, c0) && firstWetDone;
  }
  InertialRowSums row;
  row.firstWetDone = firstWetDone;
  row.volume = (sumLow[0] + sumLow[1]) + (sumHigh[0] + sumHigh[1]);
  for (std::size_t lane = 0; lane < kWidth; ++lane) {
    row.clipped += static_cast<double>(clip[lane]);
    row.deepest = std::max(row.deepest, static_cast<double>(top[lane]));
    row.fastest = std::max(row.fastest, static_cast<double>(fast[lane]));
  }
  return row;
}

#define CITYTWIN_FLOOD_DEPTH_ARGS                                                                        \
  std::size_t nx, Real dtOverDx, Real threshold, Real blocked, const Real *z, const Real *h, Real *hNew, \
      const Real *qx, const Real *qyNorth, const Real *qySouth, RainOf rainOf,                           \
      const InertialMaxima<Real>*maxima
template <typename Real, typename RainOf>
InertialRowSums inertialDepthRowBaseline(CITYTWIN_FLOOD_DEPTH_ARGS) {
  return inertialDepthLoop(nx, dtOverDx, threshold, blocked, z, h, hNew, qx, qyNorth, qySouth, rainOf,
                           maxima);
}
template <typename Real, typename RainOf>
CITYTWIN_FLOOD_AVX2 InertialRowSums inertialDepthRowAvx2(CITYTWIN_FLOOD_DEPTH_ARGS) {
  return inertialDepthLoop(nx, dtOverDx, threshold, blocked, z, h, hNew, qx, qyNorth, qySouth, rainOf,
                           maxima);
}
template <typename Real, typename RainOf>
inline InertialRowSums inertialDepthRow(KernelIsa isa, CITYTWIN_FLOOD_DEPTH_ARGS) {
  if (isa == KernelIsa::Avx2)
    return inertialDepthRowAvx2(nx, dtOverDx, threshold, blocked, z, h, hNew, qx, qyNorth, qySouth, rainOf,
                                maxima);
  return inertialDepthRowBaseline(nx, dtOverDx, threshold, blocked, z, h, hNew, qx, qyNorth, qySouth, rainOf,
                                  maxima);
}
#undef CITYTWIN_FLOOD_DEPTH_ARGS

}  // namespace citytwin::flood::detail
