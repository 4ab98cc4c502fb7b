#pragma once

// The solver proper, templated on the storage precision. Included by grid_engine_single.cpp and
// grid_engine_double.cpp only, each instantiating one precision.

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "citytwin/core/error.hpp"
#include "fast_math.hpp"
#include "local_inertial_kernels.hpp"
#include "simulation_engine.hpp"
#include "citytwin/core/byte_buffer.hpp"

namespace citytwin::flood::detail {

inline constexpr double kGravity = 9.81;
// Blocked cells sit this far above the lowest ground: no face ever carries water into them, and the
// hydrostatic reconstruction turns their faces into walls.
inline constexpr double kBlockedHeight = 1.0e5;
// Depth under which a finite-volume cell has no velocity.
inline constexpr double kDryDepth = 1.0e-6;
// Local inertial: largest fraction of a cell a face's flow may cross per step (below the donor limit 1/4).
inline constexpr double kAdvectiveCourant = 0.2;

// A step's water across the domain's edge: inflow and outflow are summed apart for the mass balance.
struct BoundaryExchange {
  double inflow = 0.0;
  double outflow = 0.0;
  void add(double volume) {
    if (volume >= 0)
      inflow += volume;
    else
      outflow -= volume;
  }
  void addTo(MassBalance& mass) const {
    mass.boundaryInflow += inflow;
    mass.boundaryOutflow += outflow;
  }
};

struct BoundaryFace {
  std::size_t cell;
  std::size_t face;      // index into the x-face (West/East) or y-face (North/South) array
  Edge edge;
  std::size_t segment;   // index into Forcing::edges
};

template <typename Real>
class GridEngine final : public SimulationEngine {
 public:
  GridEngine(Domain domain, Forcing forcing, SimulationOptions options);

  void step(double limit) override;
  double time() const override { return time_; }
  const Domain& domain() const override { return domain_; }
  Forcing& forcing() override { return forcing_; }
  const SimulationOptions& options() const override { return options_; }
  const MassBalance& massBalance() const override { return mass_; }
  const StepInfo& stepInfo() const override { return info_; }
  std::uint64_t cellUpdates() const override { return cellUpdates_; }
  void setDepths(std::span<const double> depths) override;
  void setDischarges(std::span<const double> eastward, std::span<const double> northward) override;
  void raiseCells(std::span<const std::size_t> cells, double newElevation) override;
  std::vector<double> depths() const override;
  double depthAt(std::size_t cell) const override { return static_cast<double>(h_[cell]); }
  std::vector<double> speeds() const override;
  const std::vector<float>& maxDepth() const override { return maxDepth_; }
  const std::vector<float>& maxSpeed() const override { return maxSpeed_; }
  const std::vector<float>& maxHazard() const override { return maxHazard_; }
  const std::vector<float>& firstWettingTime() const override { return firstWet_; }
  std::vector<std::uint8_t> snapshot() const override;
  void restore(std::span<const std::uint8_t> bytes) override;

 private:
  template <typename Body>
  void forEachRow(Body&& body) {
    arena_.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, ny_, 4),
                        [&](const tbb::blocked_range<std::size_t>& range) {
                          for (std::size_t r = range.begin(); r != range.end(); ++r) body(r);
                        },
                        tbb::simple_partitioner());
    });
  }

  void buildBoundaries();
  double nextTimeStep() const;
  double cellSpeed(std::size_t cell) const;
  void refreshReductions();
  void rainDepths(double t0, double t1);
  void localInertialStep(double dt);
  void localInertialBlock(std::size_t firstRow, std::size_t endRow, Real dt);
  void localInertialXFaces(std::size_t r, Real dt);
  void localInertialYFaces(std::size_t r, Real dt, Real* out);
  void localInertialBoundaries(double dt);
  void localInertialDepthRow(std::size_t r, Real dt, const Real* southFaces);
  InertialFaceConstants<Real> inertialConstants(Real dt) const;
  void finiteVolumeStep(double dt);
  void finiteVolumeFluxRow(std::size_t r);
  void finiteVolumeBoundaries(double dt);
  void finiteVolumeUpdateRow(std::size_t r, Real dt);
  void applyPointSources(double dt);
  void applyLosses(double dt);
  void updateMaxima();
  InertialMaxima<Real> inertialMaxima(std::size_t r, float now);
  double boundaryLevel(const EdgeBoundary& b) const;
  double boundaryFlow(const EdgeBoundary& b, double dt) const;
  double freeOutflowSlope(const BoundaryFace& bf, double givenSlope) const;
  bool isBlockedCell(std::size_t cell) const { return z_[cell] >= blockedZ_; }

  Domain domain_;
  Forcing forcing_;
  SimulationOptions options_;
  std::size_t nx_;
  std::size_t ny_;
  double dx_;
  double zBase_ = 0.0;
  Real blockedZ_;
  double cfl_;
  // Local inertial: the checkerboard filter's weight, topping up theta's own damping of a checkerboard
  // (2 (1 - theta) per step) to kCheckerboardDamping, and the share of Bates et al.'s step
  // (cfl dx / sqrt(g h)) that keeps that mode stable, sqrt(1 - total damping / 2): see
  // local_inertial_kernels.hpp. Without the smaller step theta = 0.7 at cfl 0.7 lets a deep pond's
  // checkerboard grow without bound.
  double checkerboardFilter_ = 0.0;
  double thetaStability_ = 1.0;
  tbb::task_arena arena_;
  KernelIsa isa_ = detectKernelIsa();

  std::vector<Real> z_;
  std::vector<Real> h_;
  std::vector<Real> hNew_;  // local inertial: the depths being computed, swapped with h_ after a step
  std::vector<Real> n2_;    // Manning n squared per cell; empty when uniform
  Real uniformN2_;
  // Local inertial: unit discharges on faces (x faces ny*(nx+1), y faces (ny+1)*nx), new and old.
  std::vector<Real> qx_, qy_, qxOld_, qyOld_;
  // Finite volume: cell momenta and face fluxes (mass, normal and tangential momentum).
  std::vector<Real> hu_, hv_;
  std::vector<Real> fMass_, fNormal_, fTangent_, gMass_, gNormal_, gTangent_;

  std::vector<double> rowMax_;     // LI: max depth; FV: max wave speed
  std::vector<double> rowSpeed_;   // LI: max face discharge over donor depth
  std::vector<double> rowVolume_;  // sum of depths
  std::vector<double> rowClipped_;
  std::vector<double> rowLoss_;
  std::vector<double> rowDrain_;
  // Local inertial maxima: 1 where every open cell of the row has its first wetting time.
  std::vector<unsigned char> rowFirstWetDone_;
  bool fuseMaxima_ = false;  // this step's depth update tracks the maxima (nothing changes depths after it)
  float maximaTime_ = 0.0f;  // the time at the end of this step

  std::vector<BoundaryFace> boundaryFaces_;
  std::vector<std::size_t> pointCells_;
  std::vector<std::vector<std::size_t>> lineCells_;
  std::size_t activeCells_ = 0;
  std::vector<std::size_t> zoneCells_;
  Real uniformRain_ = 0;            // m this step
  std::vector<Real> zoneRain_;      // m this step per zone
  double boundaryDepthMax_ = 0.0;   // deepest water a level boundary imposes (LI time step)

  std::vector<float> infiltrated_;  // Green-Ampt cumulative infiltration (m)
  std::vector<float> maxDepth_, maxSpeed_, maxHazard_, firstWet_;

  double time_ = 0.0;
  StepInfo info_;
  MassBalance mass_;
  std::uint64_t cellUpdates_ = 0;
};

// ---------------------------------------------------------------------------------------------

template <typename Real>
GridEngine<Real>::GridEngine(Domain domain, Forcing forcing, SimulationOptions options)
    : domain_(std::move(domain)),
      forcing_(std::move(forcing)),
      options_(options),
      nx_(domain_.columns),
      ny_(domain_.rows),
      dx_(domain_.cellSize),
      cfl_(options.cfl > 0 ? options.cfl : (options.scheme == Scheme::LocalInertial ? 0.7 : 0.5)),
      arena_(options.threads > 0 ? options.threads : tbb::task_arena::automatic) {
  domain_.validate();
  // Below 0.5 the weighting flips a checkerboard's discharge every step and no step keeps it bounded.
  if (!(options_.theta >= 0.5 && options_.theta <= 1.0)) throw Error("flood: theta must lie in [0.5, 1]");
  const double thetaDamping = 2.0 * (1.0 - options_.theta);
  checkerboardFilter_ = std::max(0.0, kCheckerboardDamping - thetaDamping);
  thetaStability_ = std::sqrt(1.0 - 0.5 * (thetaDamping + checkerboardFilter_));
  const std::size_t n = domain_.cellCount();
  zBase_ = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < n; ++i)
    if (!domain_.isBlocked(i)) zBase_ = std::min(zBase_, domain_.elevation[i]);
  if (!std::isfinite(zBase_)) zBase_ = 0.0;
  blockedZ_ = static_cast<Real>(kBlockedHeight * 0.5);
  z_.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    z_[i] = domain_.isBlocked(i) ? static_cast<Real>(kBlockedHeight) : static_cast<Real>(domain_.elevation[i] - zBase_);
    if (!domain_.isBlocked(i)) ++activeCells_;
  }
  h_.assign(n, Real(0));
  uniformN2_ = static_cast<Real>(domain_.uniformManning * domain_.uniformManning);
  if (!domain_.manning.empty()) {
    n2_.resize(n);
    for (std::size_t i = 0; i < n; ++i) n2_[i] = static_cast<Real>(domain_.manning[i]) * static_cast<Real>(domain_.manning[i]);
  }
  if (options_.scheme == Scheme::LocalInertial) {
    hNew_.assign(n, Real(0));
    qx_.assign(ny_ * (nx_ + 1), Real(0));
    qy_.assign((ny_ + 1) * nx_, Real(0));
    qxOld_ = qx_;
    qyOld_ = qy_;
  } else {
    hu_.assign(n, Real(0));
    hv_.assign(n, Real(0));
    fMass_.assign(ny_ * (nx_ + 1), Real(0));
    fNormal_ = fMass_;
    fTangent_ = fMass_;
    gMass_.assign((ny_ + 1) * nx_, Real(0));
    gNormal_ = gMass_;
    gTangent_ = gMass_;
  }
  rowMax_.assign(ny_, 0.0);
  rowSpeed_.assign(ny_, 0.0);
  rowVolume_.assign(ny_, 0.0);
  rowClipped_.assign(ny_, 0.0);
  rowLoss_.assign(ny_, 0.0);
  rowDrain_.assign(ny_, 0.0);
  rowFirstWetDone_.assign(ny_, 0);
  if (options_.trackMaxima) {
    maxDepth_.assign(n, 0.0f);
    maxSpeed_.assign(n, 0.0f);
    maxHazard_.assign(n, 0.0f);
    firstWet_.assign(n, -1.0f);
  }
  if (forcing_.infiltration.greenAmpt) infiltrated_.assign(n, 0.0f);
  if (!forcing_.drainageMmPerHour.empty() && forcing_.drainageMmPerHour.size() != n)
    throw Error("flood: drainage raster size does not match the grid");
  const auto& rain = forcing_.rainfall;
  if (!rain.zoneSeries.empty()) {
    if (rain.zone.size() != n) throw Error("flood: rainfall zone raster size does not match the grid");
    zoneCells_.assign(rain.zoneSeries.size(), 0);
    for (std::size_t i = 0; i < n; ++i) {
      if (rain.zone[i] >= rain.zoneSeries.size()) throw Error("flood: rainfall zone index out of range");
      if (!domain_.isBlocked(i)) ++zoneCells_[rain.zone[i]];
    }
    zoneRain_.assign(rain.zoneSeries.size(), Real(0));
  }
  buildBoundaries();
  refreshReductions();
}

template <typename Real>
void GridEngine<Real>::buildBoundaries() {
  boundaryFaces_.clear();
  for (std::size_t s = 0; s < forcing_.edges.size(); ++s) {
    const EdgeBoundary& b = forcing_.edges[s];
    const double lo = std::min(b.from, b.to);
    const double hi = std::max(b.from, b.to);
    if (b.edge == Edge::West || b.edge == Edge::East) {
      for (std::size_t r = 0; r < ny_; ++r) {
        const double y = domain_.cellCentreY(r);
        if (y < lo || y > hi) continue;
        const std::size_t c = b.edge == Edge::West ? 0 : nx_ - 1;
        const std::size_t face = r * (nx_ + 1) + (b.edge == Edge::West ? 0 : nx_);
        boundaryFaces_.push_back({r * nx_ + c, face, b.edge, s});
      }
    } else {
      for (std::size_t c = 0; c < nx_; ++c) {
        const double x = domain_.cellCentreX(c);
        if (x < lo || x > hi) continue;
        const std::size_t r = b.edge == Edge::North ? 0 : ny_ - 1;
        const std::size_t face = (b.edge == Edge::North ? 0 : ny_) * nx_ + c;
        boundaryFaces_.push_back({r * nx_ + c, face, b.edge, s});
      }
    }
  }
  // A later segment overrides an earlier one on the same face.
  std::stable_sort(boundaryFaces_.begin(), boundaryFaces_.end(), [](const BoundaryFace& a, const BoundaryFace& b) {
    return std::pair(static_cast<int>(a.edge), a.face) < std::pair(static_cast<int>(b.edge), b.face);
  });
  std::vector<BoundaryFace> unique;
  for (std::size_t i = 0; i < boundaryFaces_.size(); ++i) {
    if (i + 1 < boundaryFaces_.size() && boundaryFaces_[i + 1].edge == boundaryFaces_[i].edge &&
        boundaryFaces_[i + 1].face == boundaryFaces_[i].face)
      continue;
    if (!isBlockedCell(boundaryFaces_[i].cell)) unique.push_back(boundaryFaces_[i]);
  }
  boundaryFaces_ = std::move(unique);

  pointCells_.clear();
  for (const PointBoundary& p : forcing_.points) {
    std::size_t c = 0, r = 0;
    if (!domain_.cellAt(p.x, p.y, c, r))
      throw Error("flood: point boundary at (" + std::to_string(p.x) + ", " + std::to_string(p.y) + ") lies outside the grid");
    pointCells_.push_back(r * nx_ + c);
  }
  lineCells_.clear();
  for (const LineInflow& line : forcing_.lines) {
    std::vector<std::size_t> cells;
    for (std::size_t k = 0; k + 1 < line.xs.size(); ++k) {
      const double length = std::hypot(line.xs[k + 1] - line.xs[k], line.ys[k + 1] - line.ys[k]);
      const auto samples = static_cast<std::size_t>(std::ceil(length / (0.25 * dx_))) + 1;
      for (std::size_t s = 0; s <= samples; ++s) {
        const double f = static_cast<double>(s) / static_cast<double>(samples);
        std::size_t c = 0, r = 0;
        if (domain_.cellAt(line.xs[k] + f * (line.xs[k + 1] - line.xs[k]), line.ys[k] + f * (line.ys[k + 1] - line.ys[k]), c, r) &&
            !isBlockedCell(r * nx_ + c))
          cells.push_back(r * nx_ + c);
      }
    }
    if (line.xs.size() == 1) {
      std::size_t c = 0, r = 0;
      if (domain_.cellAt(line.xs[0], line.ys[0], c, r)) cells.push_back(r * nx_ + c);
    }
    std::sort(cells.begin(), cells.end());
    cells.erase(std::unique(cells.begin(), cells.end()), cells.end());
    if (cells.empty()) throw Error("flood: an inflow line crosses no open cell of the grid");
    lineCells_.push_back(std::move(cells));
  }
}

template <typename Real>
double GridEngine<Real>::cellSpeed(std::size_t cell) const {
  const double h = static_cast<double>(h_[cell]);
  if (h <= options_.wetThreshold) return 0.0;
  if (options_.scheme == Scheme::LocalInertial) {
    const std::size_t r = cell / nx_, c = cell % nx_;
    const double qx = 0.5 * (static_cast<double>(qx_[r * (nx_ + 1) + c]) + static_cast<double>(qx_[r * (nx_ + 1) + c + 1]));
    const double qy = 0.5 * (static_cast<double>(qy_[r * nx_ + c]) + static_cast<double>(qy_[(r + 1) * nx_ + c]));
    return std::hypot(qx, qy) / h;
  }
  return std::hypot(static_cast<double>(hu_[cell]), static_cast<double>(hv_[cell])) / h;
}

template <typename Real>
void GridEngine<Real>::refreshReductions() {
  double volume = 0.0;
  for (std::size_t r = 0; r < ny_; ++r) {
    double sum = 0.0, top = 0.0;
    for (std::size_t c = 0; c < nx_; ++c) {
      const std::size_t i = r * nx_ + c;
      const double h = static_cast<double>(h_[i]);
      sum += h;
      if (options_.scheme == Scheme::LocalInertial) {
        top = std::max(top, h);
      } else if (h > kDryDepth) {
        const double c0 = std::sqrt(kGravity * h);
        top = std::max({top, std::abs(static_cast<double>(hu_[i])) / h + c0, std::abs(static_cast<double>(hv_[i])) / h + c0});
      }
    }
    rowVolume_[r] = sum;
    rowMax_[r] = top;
    volume += sum;
  }
  mass_.volume = volume * dx_ * dx_;
}

template <typename Real>
double GridEngine<Real>::nextTimeStep() const {
  if (options_.fixedTimeStep > 0) return options_.fixedTimeStep;
  double top = 0.0;
  for (double v : rowMax_) top = std::max(top, v);
  double dt = options_.maxTimeStep;
  if (options_.scheme == Scheme::LocalInertial) {
    top = std::max(top, boundaryDepthMax_);
    if (top > options_.depthThreshold)
      dt = std::min(dt, cfl_ * thetaStability_ * dx_ / std::sqrt(kGravity * top));
    // Bates et al.'s step follows the wave celerity only; fast shallow (supercritical) flow also
    // needs the advective limit, or the per-face donor limit would cap its velocity at dx / (4 dt).
    double fastest = 0.0;
    for (double v : rowSpeed_) fastest = std::max(fastest, v);
    if (fastest > 0) dt = std::min(dt, kAdvectiveCourant * dx_ / fastest);
  } else {
    top = std::max(top, std::sqrt(kGravity * boundaryDepthMax_));
    if (top > 0) dt = std::min(dt, cfl_ * dx_ / top);
  }
  return dt;
}

template <typename Real>
double GridEngine<Real>::boundaryLevel(const EdgeBoundary& b) const {
  return (b.type == BoundaryType::Level ? b.series.valueAt(time_) : b.value) - zBase_;
}

template <typename Real>
double GridEngine<Real>::boundaryFlow(const EdgeBoundary& b, double dt) const {
  // The mean over the step, so the volume that enters is the hydrograph's exact integral.
  return b.type == BoundaryType::Flow ? b.series.integral(time_, time_ + dt) / dt : b.value;
}

template <typename Real>
double GridEngine<Real>::freeOutflowSlope(const BoundaryFace& bf, double givenSlope) const {
  if (givenSlope > 0) return givenSlope;
  // Without a given slope, the local water-surface slope towards the edge from the neighbour one cell
  // inwards; kept slightly positive so the edge always drains.
  const std::size_t r = bf.cell / nx_, c = bf.cell % nx_;
  std::size_t inner = bf.cell;
  if (bf.edge == Edge::West && c + 1 < nx_) inner = bf.cell + 1;
  if (bf.edge == Edge::East && c > 0) inner = bf.cell - 1;
  if (bf.edge == Edge::North && r + 1 < ny_) inner = bf.cell + nx_;
  if (bf.edge == Edge::South && r > 0) inner = bf.cell - nx_;
  const double surface = static_cast<double>(z_[bf.cell]) + static_cast<double>(h_[bf.cell]);
  const double slope =
      isBlockedCell(inner) ? 0.0 : (static_cast<double>(z_[inner] + h_[inner]) - surface) / dx_;
  return std::max(slope, 1e-4);
}

template <typename Real>
void GridEngine<Real>::rainDepths(double t0, double t1) {
  const auto& rain = forcing_.rainfall;
  constexpr double kMmPerHourToMetres = 1.0 / 3.6e6;
  uniformRain_ = Real(0);
  double volume = 0.0;
  if (!rain.zoneSeries.empty()) {
    for (std::size_t k = 0; k < rain.zoneSeries.size(); ++k) {
      zoneRain_[k] = static_cast<Real>(std::max(0.0, rain.zoneSeries[k].integral(t0, t1)) * kMmPerHourToMetres);
      volume += static_cast<double>(zoneRain_[k]) * static_cast<double>(zoneCells_[k]);
    }
  } else if (!rain.uniform.empty()) {
    uniformRain_ = static_cast<Real>(std::max(0.0, rain.uniform.integral(t0, t1)) * kMmPerHourToMetres);
    volume = static_cast<double>(uniformRain_) * static_cast<double>(activeCells_);
  }
  mass_.rainfall += volume * dx_ * dx_;
}

template <typename Real>
void GridEngine<Real>::step(double limit) {
  double dt = std::min(nextTimeStep(), limit - time_);
  if (!(dt > 0)) return;
  // Avoid a sliver step just before an output time.
  if (limit - time_ - dt < 1e-6 * dt) dt = limit - time_;
  rainDepths(time_, time_ + dt);
  const double inBefore = mass_.boundaryInflow + mass_.pointInflow;
  const double outBefore = mass_.boundaryOutflow;
  const bool losses = forcing_.infiltration.active() || !forcing_.drainageMmPerHour.empty();
  // The maxima follow the depth update, chunk by chunk while its depths are in cache, unless sources or
  // losses change the depths after it.
  fuseMaxima_ = options_.trackMaxima && options_.scheme == Scheme::LocalInertial && forcing_.points.empty() &&
                forcing_.lines.empty() && !losses;
  maximaTime_ = static_cast<float>(time_ + dt);
  if (options_.scheme == Scheme::LocalInertial)
    localInertialStep(dt);
  else
    finiteVolumeStep(dt);
  double volume = 0.0, clipped = 0.0;
  for (std::size_t r = 0; r < ny_; ++r) {
    volume += rowVolume_[r];
    clipped += rowClipped_[r];
  }
  mass_.volume = volume * dx_ * dx_;
  mass_.clipped += clipped * dx_ * dx_;
  applyPointSources(dt);
  if (losses) applyLosses(dt);
  time_ += dt;
  if (options_.trackMaxima && !fuseMaxima_) updateMaxima();
  info_.time = time_;
  info_.timeStep = dt;
  info_.minTimeStep = info_.steps == 0 ? dt : std::min(info_.minTimeStep, dt);
  info_.steps += 1;
  info_.inflowRate = (mass_.boundaryInflow + mass_.pointInflow - inBefore) / dt;
  info_.outflowRate = (mass_.boundaryOutflow - outBefore) / dt;
  cellUpdates_ += nx_ * ny_;
}

// ----------------------------------------------------------------------------- local inertial

template <typename Real>
void GridEngine<Real>::localInertialStep(double dt) {
  std::swap(qx_, qxOld_);
  std::swap(qy_, qyOld_);
  const Real rdt = static_cast<Real>(dt);
  // Edge faces first: they read only the old state, and every row update below needs them.
  localInertialBoundaries(dt);
  // Blocks of rows, each sweeping its rows once: a row's depths are updated right after the faces
  // below it, while its faces, depths and elevations are still in cache. Every face reads old depths
  // only and the new depths go to hNew_, so blocks never wait for one another; the y faces below a
  // block's last row belong to the next block and are computed again here into a scratch row, with
  // the same code and inputs, hence the same bits.
  constexpr std::size_t kBlockRows = 16;
  const std::size_t blocks = (ny_ + kBlockRows - 1) / kBlockRows;
  arena_.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, blocks, 1),
        [&](const tbb::blocked_range<std::size_t>& range) {
          for (std::size_t b = range.begin(); b != range.end(); ++b)
            localInertialBlock(b * kBlockRows, std::min(ny_, (b + 1) * kBlockRows), rdt);
        },
        tbb::simple_partitioner());
  });
  std::swap(h_, hNew_);
}

template <typename Real>
void GridEngine<Real>::localInertialBlock(std::size_t firstRow, std::size_t endRow, Real dt) {
  std::vector<Real> scratch;
  localInertialXFaces(firstRow, dt);
  if (firstRow > 0) localInertialYFaces(firstRow, dt, qy_.data() + firstRow * nx_);
  for (std::size_t r = firstRow; r < endRow; ++r) {
    const std::size_t below = r + 1;
    Real* south = qy_.data() + below * nx_;  // the domain's south edge when below == ny_
    if (below < endRow) {
      localInertialXFaces(below, dt);
      localInertialYFaces(below, dt, south);
    } else if (below < ny_) {
      scratch.resize(nx_);
      south = scratch.data();
      localInertialYFaces(below, dt, south);
    }
    localInertialDepthRow(r, dt, south);
  }
}

template <typename Real>
InertialFaceConstants<Real> GridEngine<Real>::inertialConstants(Real dt) const {
  InertialFaceConstants<Real> k{};
  k.gdt = static_cast<Real>(kGravity) * dt;
  k.gdtOverDx = static_cast<Real>(kGravity * static_cast<double>(dt) / dx_);
  k.threshold = static_cast<Real>(options_.depthThreshold);
  k.donorLimit = static_cast<Real>(0.25 * dx_ / dt);
  k.friction = k.gdt * uniformN2_;
  k.theta = static_cast<Real>(options_.theta);
  k.sideWeight = static_cast<Real>(0.5 * (1.0 - options_.theta));
  k.checkerboardDamping = static_cast<Real>(checkerboardFilter_ / 16.0);
  return k;
}

// x faces inside row r: face c lies between cells c-1 and c.
template <typename Real>
void GridEngine<Real>::localInertialXFaces(std::size_t r, Real dt) {
  const std::size_t nx = nx_, stride = nx + 1;
  const InertialFaceConstants<Real> k = inertialConstants(dt);
  const Real* z = z_.data() + r * nx;
  const Real* h = h_.data() + r * nx;
  const Real* n2 = n2_.empty() ? nullptr : n2_.data() + r * nx;
  const Real* qOld = qxOld_.data() + r * stride + 1;
  Real* q = qx_.data() + r * stride + 1;
  // The faces of the rows above and below; a domain edge row stands in for its missing neighbour
  // (a zero second difference across the edge). The edge faces (c = 0 and nx) close each run.
  const OldFaceDischarges<Real> old{qOld, qOld - 1, qOld + 1, r > 0 ? qOld - stride : qOld,
                                    r + 1 < ny_ ? qOld + stride : qOld};
  // Bates et al. (theta = 1) reads no neighbouring faces for the weighting.
  inertialFaceRow<Real, true>(isa_, options_.theta != 1.0, !n2, nx - 1, z, z + 1, h, h + 1, n2,
                              n2 ? n2 + 1 : nullptr, old, q, k);
}

// y faces on the north side of row r (between rows r-1 and r, r > 0); qy is positive southward.
template <typename Real>
void GridEngine<Real>::localInertialYFaces(std::size_t r, Real dt, Real* out) {
  const std::size_t nx = nx_;
  const InertialFaceConstants<Real> k = inertialConstants(dt);
  const Real* z = z_.data() + r * nx;
  const Real* h = h_.data() + r * nx;
  const Real* n2 = n2_.empty() ? nullptr : n2_.data() + r * nx;
  const Real* qOld = qyOld_.data() + r * nx;
  const bool weighted = options_.theta != 1.0;
  // Along the flow (theta) the neighbours are the face rows above and below, which are also the sides
  // of the checkerboard filter; across the flow it reads the faces west and east, so the first and the
  // last face of the row, which have only one, are left undamped.
  auto run = [&](auto damped, std::size_t first, std::size_t count) {
    const Real* o = qOld + first;
    const OldFaceDischarges<Real> old{o, o - nx, o + nx, o - nx, o + nx};
    const Real* n2Here = n2 ? n2 + first : nullptr;
    inertialFaceRow<Real, decltype(damped)::value>(isa_, weighted, !n2, count, z + first - nx, z + first,
                                                   h + first - nx, h + first, n2Here ? n2Here - nx : nullptr,
                                                   n2Here, old, out + first, k);
  };
  run(std::false_type{}, 0, 1);
  if (nx > 2) run(std::true_type{}, 1, nx - 2);
  run(std::false_type{}, nx - 1, 1);
}

template <typename Real>
void GridEngine<Real>::localInertialBoundaries(double dt) {
  // Walls unless a segment says otherwise.
  for (std::size_t r = 0; r < ny_; ++r) {
    qx_[r * (nx_ + 1)] = Real(0);
    qx_[r * (nx_ + 1) + nx_] = Real(0);
  }
  std::fill(qy_.begin(), qy_.begin() + static_cast<std::ptrdiff_t>(nx_), Real(0));
  std::fill(qy_.end() - static_cast<std::ptrdiff_t>(nx_), qy_.end(), Real(0));
  const double threshold = options_.depthThreshold;
  BoundaryExchange exchange;
  boundaryDepthMax_ = 0.0;
  for (const BoundaryFace& bf : boundaryFaces_) {
    const EdgeBoundary& b = forcing_.edges[bf.segment];
    // +1 when positive face discharge enters the domain.
    const double inward = (bf.edge == Edge::West || bf.edge == Edge::North) ? 1.0 : -1.0;
    const bool xFace = bf.edge == Edge::West || bf.edge == Edge::East;
    auto& q = xFace ? qx_ : qy_;
    const auto& qOld = xFace ? qxOld_ : qyOld_;
    const double h = static_cast<double>(h_[bf.cell]);
    const double z = static_cast<double>(z_[bf.cell]);
    const double donorLimit = 0.25 * dx_ / dt;
    double qIn = 0.0;  // into the domain, per unit width
    const double n2 = n2_.empty() ? static_cast<double>(uniformN2_) : static_cast<double>(n2_[bf.cell]);
    auto inertialFlux = [&](double etaGhost, double zGhost) {
      const double eta = z + h;
      const double hFlow = std::max(eta, etaGhost) - std::max(z, zGhost);
      if (hFlow <= threshold) return 0.0;
      const double slope = (eta - etaGhost) / dx_;  // positive when the ghost is lower: inflow negative
      const double q0 = inward * static_cast<double>(qOld[bf.face]);
      const double qNew = (q0 - kGravity * hFlow * dt * slope) /
                          (1.0 + kGravity * dt * n2 * std::abs(q0) / std::pow(hFlow, 7.0 / 3.0));
      return std::max(qNew, -h * donorLimit);
    };
    switch (b.type) {
      case BoundaryType::Closed:
        break;
      case BoundaryType::FixedFlow:
      case BoundaryType::Flow:
        qIn = std::max(boundaryFlow(b, dt), -h * donorLimit);
        break;
      case BoundaryType::FixedLevel:
      case BoundaryType::Level: {
        const double level = boundaryLevel(b);
        boundaryDepthMax_ = std::max(boundaryDepthMax_, level - z);
        qIn = inertialFlux(std::max(level, z), z);
        break;
      }
      case BoundaryType::Free: {
        const double slope = freeOutflowSlope(bf, b.value);
        qIn = std::min(0.0, inertialFlux(z + h - slope * dx_, z - slope * dx_));
        break;
      }
    }
    q[bf.face] = static_cast<Real>(inward * qIn);
    exchange.add(static_cast<double>(q[bf.face]) * inward * dx_ * dt);
  }
  exchange.addTo(mass_);
}

template <typename Real>
void GridEngine<Real>::localInertialDepthRow(std::size_t r, Real dt, const Real* southFaces) {
  const std::size_t nx = nx_;
  const Real dtOverDx = static_cast<Real>(static_cast<double>(dt) / dx_);
  const Real threshold = static_cast<Real>(options_.depthThreshold);
  const Real* z = z_.data() + r * nx;
  const Real* h = h_.data() + r * nx;
  Real* hNew = hNew_.data() + r * nx;
  const Real* qx = qx_.data() + r * (nx + 1);
  const Real* qyN = qy_.data() + r * nx;
  const Real* qyS = southFaces;
  InertialRowSums sums;
  const InertialMaxima<Real> maxima = fuseMaxima_ ? inertialMaxima(r, maximaTime_) : InertialMaxima<Real>{};
  const InertialMaxima<Real>* tracked = fuseMaxima_ ? &maxima : nullptr;
  if (!zoneRain_.empty()) {
    const unsigned short* zone = forcing_.rainfall.zone.data() + r * nx;
    const Real* zoneRain = zoneRain_.data();
    sums = inertialDepthRow(
        isa_, nx, dtOverDx, threshold, blockedZ_, z, h, hNew, qx, qyN, qyS,
        [zone, zoneRain](std::size_t c) { return zoneRain[zone[c]]; }, tracked);
  } else {
    const Real rain = uniformRain_;
    sums = inertialDepthRow(
        isa_, nx, dtOverDx, threshold, blockedZ_, z, h, hNew, qx, qyN, qyS,
        [rain](std::size_t) { return rain; }, tracked);
  }
  if (fuseMaxima_) rowFirstWetDone_[r] = sums.firstWetDone ? 1 : 0;
  rowVolume_[r] = sums.volume;
  rowClipped_[r] = sums.clipped;
  rowMax_[r] = sums.deepest;
  rowSpeed_[r] = sums.fastest;
}

// ----------------------------------------------------------------------------- finite volume

// HLLC flux of the shallow-water equations across one face, from already reconstructed states
// (normal velocity u, tangential velocity v). Dry sides use the exact dry-front wave speeds.
template <typename Real>
inline void hllcFlux(Real hL, Real uL, Real vL, Real hR, Real uR, Real vR, Real& mass, Real& normal, Real& tangent) {
  const Real g = static_cast<Real>(kGravity);
  const Real dry = static_cast<Real>(kDryDepth);
  const Real cL = std::sqrt(g * hL), cR = std::sqrt(g * hR);
  const bool leftDry = hL <= dry, rightDry = hR <= dry;
  const Real uStar = Real(0.5) * (uL + uR) + cL - cR;
  const Real cStar = Real(0.5) * (cL + cR) + Real(0.25) * (uL - uR);
  Real sL = std::min(uL - cL, uStar - cStar);
  Real sR = std::max(uR + cR, uStar + cStar);
  sL = leftDry ? uR - Real(2) * cR : sL;
  sR = leftDry ? uR + cR : sR;
  sL = rightDry ? uL - cL : sL;
  sR = rightDry ? uL + Real(2) * cL : sR;
  const Real massL = hL * uL, massR = hR * uR;
  const Real normalL = hL * uL * uL + Real(0.5) * g * hL * hL;
  const Real normalR = hR * uR * uR + Real(0.5) * g * hR * hR;
  const Real span = std::max(sR - sL, std::numeric_limits<Real>::min());
  const Real hllMass = (sR * massL - sL * massR + sL * sR * (hR - hL)) / span;
  const Real hllNormal = (sR * normalL - sL * normalR + sL * sR * (massR - massL)) / span;
  Real m = sL >= 0 ? massL : (sR <= 0 ? massR : hllMass);
  Real p = sL >= 0 ? normalL : (sR <= 0 ? normalR : hllNormal);
  // Contact wave speed of HLLC; the tangential velocity is carried across it.
  const Real denominator = hR * (uR - sR) - hL * (uL - sL);
  const Real safeDenominator = std::abs(denominator) > dry * dry ? denominator : Real(1);
  const Real sStar = std::abs(denominator) > dry * dry
                         ? (sL * hR * (uR - sR) - sR * hL * (uL - sL)) / safeDenominator
                         : m;
  const bool bothDry = leftDry && rightDry;
  m = bothDry ? Real(0) : m;
  p = bothDry ? Real(0) : p;
  mass = m;
  normal = p;
  tangent = m * (sStar >= 0 ? vL : vR);
}

template <typename Real>
inline Real velocityOf(Real h, Real momentum) {
  return h > static_cast<Real>(kDryDepth) ? momentum / std::max(h, static_cast<Real>(kDryDepth)) : Real(0);
}

template <typename Real>
void GridEngine<Real>::finiteVolumeStep(double dt) {
  forEachRow([&](std::size_t r) { finiteVolumeFluxRow(r); });
  finiteVolumeBoundaries(dt);
  const Real rdt = static_cast<Real>(dt);
  forEachRow([&](std::size_t r) { finiteVolumeUpdateRow(r, rdt); });
}

template <typename Real>
void GridEngine<Real>::finiteVolumeFluxRow(std::size_t r) {
  const std::size_t nx = nx_;
  const Real* __restrict z = z_.data() + r * nx;
  const Real* __restrict h = h_.data() + r * nx;
  const Real* __restrict hu = hu_.data() + r * nx;
  const Real* __restrict hv = hv_.data() + r * nx;
  {
    Real* __restrict fm = fMass_.data() + r * (nx + 1);
    Real* __restrict fn = fNormal_.data() + r * (nx + 1);
    Real* __restrict ft = fTangent_.data() + r * (nx + 1);
    for (std::size_t c = 1; c < nx; ++c) {
      const Real zFace = std::max(z[c - 1], z[c]);
      const Real hL = std::max(Real(0), z[c - 1] + h[c - 1] - zFace);
      const Real hR = std::max(Real(0), z[c] + h[c] - zFace);
      hllcFlux(hL, velocityOf(h[c - 1], hu[c - 1]), velocityOf(h[c - 1], hv[c - 1]), hR, velocityOf(h[c], hu[c]),
               velocityOf(h[c], hv[c]), fm[c], fn[c], ft[c]);
    }
  }
  if (r > 0) {
    const Real* __restrict zN = z_.data() + (r - 1) * nx;
    const Real* __restrict hN = h_.data() + (r - 1) * nx;
    const Real* __restrict huN = hu_.data() + (r - 1) * nx;
    const Real* __restrict hvN = hv_.data() + (r - 1) * nx;
    Real* __restrict gm = gMass_.data() + r * nx;
    Real* __restrict gn = gNormal_.data() + r * nx;
    Real* __restrict gt = gTangent_.data() + r * nx;
    for (std::size_t c = 0; c < nx; ++c) {
      // Normal direction is +row (southward): hv is the normal momentum, hu the tangential one.
      const Real zFace = std::max(zN[c], z[c]);
      const Real hL = std::max(Real(0), zN[c] + hN[c] - zFace);
      const Real hR = std::max(Real(0), z[c] + h[c] - zFace);
      hllcFlux(hL, velocityOf(hN[c], hvN[c]), velocityOf(hN[c], huN[c]), hR, velocityOf(h[c], hv[c]),
               velocityOf(h[c], hu[c]), gm[c], gn[c], gt[c]);
    }
  }
}

template <typename Real>
void GridEngine<Real>::finiteVolumeBoundaries(double dt) {
  auto setFace = [&](bool xFace, std::size_t face, Real m, Real n, Real t) {
    (xFace ? fMass_ : gMass_)[face] = m;
    (xFace ? fNormal_ : gNormal_)[face] = n;
    (xFace ? fTangent_ : gTangent_)[face] = t;
  };
  const Real g = static_cast<Real>(kGravity);
  // Reflective walls everywhere first: the ghost mirrors the normal velocity.
  auto wall = [&](std::size_t cell, bool xFace, std::size_t face, double inward) {
    const Real h = h_[cell];
    const Real un = velocityOf(h, xFace ? hu_[cell] : hv_[cell]);
    Real m, n, t;
    if (inward > 0)
      hllcFlux(h, -un, Real(0), h, un, Real(0), m, n, t);
    else
      hllcFlux(h, un, Real(0), h, -un, Real(0), m, n, t);
    setFace(xFace, face, Real(0), n, Real(0));
  };
  for (std::size_t r = 0; r < ny_; ++r) {
    wall(r * nx_, true, r * (nx_ + 1), 1.0);
    wall(r * nx_ + nx_ - 1, true, r * (nx_ + 1) + nx_, -1.0);
  }
  for (std::size_t c = 0; c < nx_; ++c) {
    wall(c, false, c, 1.0);
    wall((ny_ - 1) * nx_ + c, false, ny_ * nx_ + c, -1.0);
  }
  BoundaryExchange exchange;
  boundaryDepthMax_ = 0.0;
  for (const BoundaryFace& bf : boundaryFaces_) {
    const EdgeBoundary& b = forcing_.edges[bf.segment];
    const bool xFace = bf.edge == Edge::West || bf.edge == Edge::East;
    const Real inward = (bf.edge == Edge::West || bf.edge == Edge::North) ? Real(1) : Real(-1);
    const Real h = h_[bf.cell];
    const Real un = velocityOf(h, xFace ? hu_[bf.cell] : hv_[bf.cell]);  // along +axis
    const Real ut = velocityOf(h, xFace ? hv_[bf.cell] : hu_[bf.cell]);
    Real m = 0, n = 0, t = 0;
    auto ghostFlux = [&](Real hGhost, Real unGhost, Real utGhost) {
      if (inward > 0)
        hllcFlux(hGhost, unGhost, utGhost, h, un, ut, m, n, t);
      else
        hllcFlux(h, un, ut, hGhost, unGhost, utGhost, m, n, t);
    };
    switch (b.type) {
      case BoundaryType::Closed:
        continue;
      case BoundaryType::Free: {
        // Outflow at normal depth: the ghost keeps the interior depth and moves outwards at least at
        // the Manning velocity for the given slope (or the local water-surface slope).
        const double slope = freeOutflowSlope(bf, b.value);
        const double n2 = n2_.empty() ? static_cast<double>(uniformN2_) : static_cast<double>(n2_[bf.cell]);
        const double hd = static_cast<double>(h);
        const double normalSpeed = n2 > 0 ? std::pow(hd, 2.0 / 3.0) * std::sqrt(slope / n2) : std::sqrt(kGravity * hd);
        const Real outward = -inward;
        const Real ghostSpeed = outward * std::max(outward * un, static_cast<Real>(normalSpeed));
        ghostFlux(h, ghostSpeed, ut);
        // Outflow only.
        if (m * inward > 0) {
          m = 0;
          t = 0;
        }
        break;
      }
      case BoundaryType::FixedLevel:
      case BoundaryType::Level: {
        const double depth = std::max(0.0, boundaryLevel(b) - static_cast<double>(z_[bf.cell]));
        boundaryDepthMax_ = std::max(boundaryDepthMax_, depth);
        ghostFlux(static_cast<Real>(depth), un, ut);
        break;
      }
      case BoundaryType::FixedFlow:
      case BoundaryType::Flow: {
        const Real qIn = static_cast<Real>(boundaryFlow(b, dt));
        const Real hb = std::max(h, static_cast<Real>(kDryDepth));
        m = inward * qIn;
        n = (h > static_cast<Real>(kDryDepth) ? qIn * qIn / hb : Real(0)) + Real(0.5) * g * h * h;
        t = 0;
        break;
      }
    }
    setFace(xFace, bf.face, m, n, t);
    exchange.add(static_cast<double>(m) * static_cast<double>(inward) * dx_ * dt);
  }
  exchange.addTo(mass_);
}

template <typename Real>
void GridEngine<Real>::finiteVolumeUpdateRow(std::size_t r, Real dt) {
  const std::size_t nx = nx_;
  const Real g = static_cast<Real>(kGravity);
  const Real halfG = Real(0.5) * g;
  const Real dry = static_cast<Real>(kDryDepth);
  const Real k = static_cast<Real>(static_cast<double>(dt) / dx_);
  const Real* __restrict z = z_.data() + r * nx;
  Real* __restrict h = h_.data() + r * nx;
  Real* __restrict hu = hu_.data() + r * nx;
  Real* __restrict hv = hv_.data() + r * nx;
  const Real* __restrict fm = fMass_.data() + r * (nx + 1);
  const Real* __restrict fn = fNormal_.data() + r * (nx + 1);
  const Real* __restrict ft = fTangent_.data() + r * (nx + 1);
  const Real* __restrict gmN = gMass_.data() + r * nx;
  const Real* __restrict gnN = gNormal_.data() + r * nx;
  const Real* __restrict gtN = gTangent_.data() + r * nx;
  const Real* __restrict gmS = gMass_.data() + (r + 1) * nx;
  const Real* __restrict gnS = gNormal_.data() + (r + 1) * nx;
  const Real* __restrict gtS = gTangent_.data() + (r + 1) * nx;
  const Real* __restrict zN = r > 0 ? z_.data() + (r - 1) * nx : z;
  const Real* __restrict zS = r + 1 < ny_ ? z_.data() + (r + 1) * nx : z;
  const Real* __restrict n2 = n2_.empty() ? nullptr : n2_.data() + r * nx;
  const bool zoned = !zoneRain_.empty();
  const unsigned short* __restrict zone = zoned ? forcing_.rainfall.zone.data() + r * nx : nullptr;
  double sum = 0.0, clipped = 0.0, top = 0.0;
  for (std::size_t c = 0; c < nx; ++c) {
    const Real hi = h[c], zi = z[c], eta = zi + hi;
    // Hydrostatic reconstruction (Audusse et al. 2004): the cell sees its own depth cut at each
    // face's higher bed; the difference in pressure balances the bed slope exactly at rest.
    const Real zW = c > 0 ? std::max(z[c - 1], zi) : zi;
    const Real zE = c + 1 < nx ? std::max(z[c + 1], zi) : zi;
    const Real zNf = std::max(zN[c], zi);
    const Real zSf = std::max(zS[c], zi);
    const Real hW = std::max(Real(0), eta - zW), hE = std::max(Real(0), eta - zE);
    const Real hNf = std::max(Real(0), eta - zNf), hSf = std::max(Real(0), eta - zSf);
    const Real pressureX = halfG * (hW * hW - hE * hE);
    const Real pressureY = halfG * (hNf * hNf - hSf * hSf);
    Real hNew = hi - k * ((fm[c + 1] - fm[c]) + (gmS[c] - gmN[c]));
    Real huNew = hu[c] - k * ((fn[c + 1] - fn[c]) + (gtS[c] - gtN[c]) + pressureX);
    Real hvNew = hv[c] - k * ((ft[c + 1] - ft[c]) + (gnS[c] - gnN[c]) + pressureY);
    hNew += zi < blockedZ_ ? (zoned ? zoneRain_[zone[c]] : uniformRain_) : Real(0);
    if (hNew < 0) {
      clipped -= static_cast<double>(hNew);
      hNew = 0;
    }
    if (hNew <= dry) {
      huNew = 0;
      hvNew = 0;
    } else {
      // Implicit Manning friction.
      const Real n2c = n2 ? n2[c] : uniformN2_;
      const Real speed = std::sqrt(huNew * huNew + hvNew * hvNew) / hNew;
      const Real r = inverseCubeRoot(hNew);
      const Real factor = Real(1) / (Real(1) + dt * g * n2c * speed * (r * r * r * r));
      huNew *= factor;
      hvNew *= factor;
      const Real c0 = std::sqrt(g * hNew);
      top = std::max({top, static_cast<double>(std::abs(huNew) / hNew + c0), static_cast<double>(std::abs(hvNew) / hNew + c0)});
    }
    h[c] = hNew;
    hu[c] = huNew;
    hv[c] = hvNew;
    sum += static_cast<double>(hNew);
  }
  rowVolume_[r] = sum;
  rowClipped_[r] = clipped;
  rowMax_[r] = top;
}

// ----------------------------------------------------------------------------- sources and losses

template <typename Real>
void GridEngine<Real>::applyPointSources(double dt) {
  const double area = dx_ * dx_;
  double net = 0.0;
  auto addVolume = [&](std::size_t cell, double volume) {
    const double before = static_cast<double>(h_[cell]);
    const double after = std::max(0.0, before + volume / area);
    h_[cell] = static_cast<Real>(after);
    const double delta = (static_cast<double>(h_[cell]) - before) * area;
    net += delta;
    rowVolume_[cell / nx_] += static_cast<double>(h_[cell]) - before;
    if (options_.scheme == Scheme::LocalInertial)
      rowMax_[cell / nx_] = std::max(rowMax_[cell / nx_], after);
    else
      rowMax_[cell / nx_] = std::max(rowMax_[cell / nx_], std::sqrt(kGravity * after));
  };
  for (std::size_t k = 0; k < forcing_.points.size(); ++k) {
    const PointBoundary& p = forcing_.points[k];
    const std::size_t cell = pointCells_[k];
    if (isBlockedCell(cell)) continue;
    switch (p.type) {
      case BoundaryType::FixedFlow:
        addVolume(cell, p.value * dt);
        break;
      case BoundaryType::Flow:
        addVolume(cell, p.series.integral(time_, time_ + dt));
        break;
      case BoundaryType::FixedLevel:
      case BoundaryType::Level: {
        const double level = (p.type == BoundaryType::Level ? p.series.valueAt(time_ + dt) : p.value) - zBase_;
        addVolume(cell, (std::max(0.0, level - static_cast<double>(z_[cell])) - static_cast<double>(h_[cell])) * area);
        break;
      }
      default:
        break;
    }
  }
  for (std::size_t k = 0; k < forcing_.lines.size(); ++k) {
    const double volume = forcing_.lines[k].discharge.integral(time_, time_ + dt);
    const auto& cells = lineCells_[k];
    for (std::size_t cell : cells) addVolume(cell, volume / static_cast<double>(cells.size()));
  }
  double volume = 0.0;
  for (double v : rowVolume_) volume += v;
  mass_.volume = volume * area;
  mass_.pointInflow += net;
}

template <typename Real>
void GridEngine<Real>::applyLosses(double dt) {
  const Infiltration& inf = forcing_.infiltration;
  constexpr double kMmPerHourToMetresPerSecond = 1.0 / 3.6e6;
  const double constantLoss = inf.greenAmpt ? 0.0 : inf.constantMmPerHour * kMmPerHourToMetresPerSecond * dt;
  const double conductivity = inf.conductivityMmPerHour * kMmPerHourToMetresPerSecond;
  const bool drains = !forcing_.drainageMmPerHour.empty();
  forEachRow([&](std::size_t r) {
    double lost = 0.0, drained = 0.0, sum = 0.0;
    for (std::size_t c = 0; c < nx_; ++c) {
      const std::size_t i = r * nx_ + c;
      double h = static_cast<double>(h_[i]);
      if (h > 0 && !isBlockedCell(i)) {
        double infiltration = constantLoss;
        if (inf.greenAmpt) {
          // Green-Ampt: f = Ks (1 + psi * dtheta / F), F the water infiltrated so far.
          const double soaked = std::max(static_cast<double>(infiltrated_[i]), 1e-4);
          infiltration = conductivity * (1.0 + inf.suctionHeadM * inf.moistureDeficit / soaked) * dt;
        }
        infiltration = std::min(infiltration, h);
        const double before = h;
        h -= infiltration;
        double drain = drains ? std::min(h, static_cast<double>(forcing_.drainageMmPerHour[i]) * kMmPerHourToMetresPerSecond * dt) : 0.0;
        h -= drain;
        h_[i] = static_cast<Real>(h);
        // Account for exactly what left the stored value.
        const double removed = before - static_cast<double>(h_[i]);
        const double infiltrated = std::min(removed, infiltration);
        lost += infiltrated;
        drained += removed - infiltrated;
        if (inf.greenAmpt) infiltrated_[i] += static_cast<float>(infiltrated);
      }
      sum += static_cast<double>(h_[i]);
    }
    rowLoss_[r] = lost;
    rowDrain_[r] = drained;
    rowVolume_[r] = sum;
  });
  double lost = 0.0, drained = 0.0, volume = 0.0;
  for (std::size_t r = 0; r < ny_; ++r) {
    lost += rowLoss_[r];
    drained += rowDrain_[r];
    volume += rowVolume_[r];
  }
  const double area = dx_ * dx_;
  mass_.infiltration += lost * area;
  mass_.drainage += drained * area;
  mass_.volume = volume * area;
}

template <typename Real>
InertialMaxima<Real> GridEngine<Real>::inertialMaxima(std::size_t r, float now) {
  const std::size_t offset = r * nx_;
  return InertialMaxima<Real>{maxDepth_.data() + offset,
                              maxSpeed_.data() + offset,
                              maxHazard_.data() + offset,
                              firstWet_.data() + offset,
                              now,
                              static_cast<Real>(options_.wetThreshold),
                              blockedZ_,
                              rowFirstWetDone_[r] != 0};
}

template <typename Real>
void GridEngine<Real>::updateMaxima() {
  const float now = static_cast<float>(time_);
  if (options_.scheme == Scheme::LocalInertial) {
    // The same row function as the fused update in localInertialDepthRow, hence the same bits.
    forEachRow([&](std::size_t r) {
      const std::size_t nx = nx_;
      const bool done =
          trackInertialMaxima(nx, h_.data() + r * nx, z_.data() + r * nx, qx_.data() + r * (nx + 1),
                              qy_.data() + r * nx, qy_.data() + (r + 1) * nx, inertialMaxima(r, now), 0);
      rowFirstWetDone_[r] = done ? 1 : 0;
    });
    return;
  }
  const double wet = options_.wetThreshold;
  forEachRow([&](std::size_t r) {
    for (std::size_t c = 0; c < nx_; ++c) {
      const std::size_t i = r * nx_ + c;
      const double h = static_cast<double>(h_[i]);
      if (h <= wet) continue;
      const double speed = cellSpeed(i);
      maxDepth_[i] = std::max(maxDepth_[i], static_cast<float>(h));
      maxSpeed_[i] = std::max(maxSpeed_[i], static_cast<float>(speed));
      maxHazard_[i] = std::max(maxHazard_[i], static_cast<float>(h * (speed + 0.5)));
      if (firstWet_[i] < 0) firstWet_[i] = now;
    }
  });
}

// ----------------------------------------------------------------------------- state access

template <typename Real>
void GridEngine<Real>::setDepths(std::span<const double> depths) {
  if (depths.size() != h_.size()) throw Error("flood: initial depth grid size does not match the domain");
  for (std::size_t i = 0; i < h_.size(); ++i) {
    if (!(depths[i] >= 0.0) && !isBlockedCell(i)) throw Error("flood: initial depths must be finite and non-negative");
    h_[i] = isBlockedCell(i) ? Real(0) : static_cast<Real>(depths[i]);
  }
  refreshReductions();
  mass_.initialVolume = mass_.volume;
  if (options_.trackMaxima) updateMaxima();
}

template <typename Real>
void GridEngine<Real>::setDischarges(std::span<const double> eastward, std::span<const double> northward) {
  if (eastward.size() != h_.size() || northward.size() != h_.size())
    throw Error("flood: initial discharge grid size does not match the domain");
  if (options_.scheme == Scheme::FiniteVolume) {
    for (std::size_t i = 0; i < h_.size(); ++i) {
      const bool wet = h_[i] > static_cast<Real>(kDryDepth);
      hu_[i] = wet ? static_cast<Real>(eastward[i]) : Real(0);
      hv_[i] = wet ? static_cast<Real>(-northward[i]) : Real(0);  // hv is positive southward (+row)
    }
  } else {
    for (std::size_t r = 0; r < ny_; ++r)
      for (std::size_t c = 1; c < nx_; ++c)
        qx_[r * (nx_ + 1) + c] = static_cast<Real>(0.5 * (eastward[r * nx_ + c - 1] + eastward[r * nx_ + c]));
    for (std::size_t r = 1; r < ny_; ++r)
      for (std::size_t c = 0; c < nx_; ++c)
        qy_[r * nx_ + c] = static_cast<Real>(-0.5 * (northward[(r - 1) * nx_ + c] + northward[r * nx_ + c]));
    qxOld_ = qx_;
    qyOld_ = qy_;
  }
  refreshReductions();
}

template <typename Real>
void GridEngine<Real>::raiseCells(std::span<const std::size_t> cells, double newElevation) {
  for (std::size_t cell : cells) {
    if (cell >= z_.size() || isBlockedCell(cell)) continue;
    const Real raised = static_cast<Real>(newElevation - zBase_);
    z_[cell] = std::max(z_[cell], raised);
    domain_.elevation[cell] = std::max(domain_.elevation[cell], newElevation);
  }
}

template <typename Real>
std::vector<double> GridEngine<Real>::depths() const {
  return std::vector<double>(h_.begin(), h_.end());
}

template <typename Real>
std::vector<double> GridEngine<Real>::speeds() const {
  std::vector<double> result(h_.size());
  for (std::size_t i = 0; i < h_.size(); ++i) result[i] = cellSpeed(i);
  return result;
}

template <typename Real>
std::vector<std::uint8_t> GridEngine<Real>::snapshot() const {
  ByteWriter w;
  w.put<std::uint32_t>(0x464c4431u);  // format tag
  w.put(time_);
  w.put(info_);
  w.put(mass_);
  w.put(cellUpdates_);
  w.put(boundaryDepthMax_);
  for (const auto* v : {&z_, &h_, &qx_, &qy_, &qxOld_, &qyOld_, &hu_, &hv_}) w.putVector(*v);
  for (const auto* v : {&maxDepth_, &maxSpeed_, &maxHazard_, &firstWet_, &infiltrated_}) w.putVector(*v);
  w.putVector(rowMax_);
  w.putVector(rowSpeed_);
  w.putVector(rowVolume_);
  return std::move(w.bytes);
}

template <typename Real>
void GridEngine<Real>::restore(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes, "flood snapshot");
  if (reader.get<std::uint32_t>() != 0x464c4431u) throw Error("flood snapshot: not a flood state");
  time_ = reader.get<double>();
  info_ = reader.get<StepInfo>();
  mass_ = reader.get<MassBalance>();
  cellUpdates_ = reader.get<std::uint64_t>();
  boundaryDepthMax_ = reader.get<double>();
  for (auto* v : {&z_, &h_, &qx_, &qy_, &qxOld_, &qyOld_, &hu_, &hv_}) reader.getVector(*v, v->size());
  for (auto* v : {&maxDepth_, &maxSpeed_, &maxHazard_, &firstWet_, &infiltrated_}) reader.getVector(*v, v->size());
  reader.getVector(rowMax_, rowMax_.size());
  reader.getVector(rowSpeed_, rowSpeed_.size());
  reader.getVector(rowVolume_, rowVolume_.size());
  std::fill(rowFirstWetDone_.begin(), rowFirstWetDone_.end(), 0);
  for (std::size_t i = 0; i < z_.size(); ++i)
    if (!isBlockedCell(i)) domain_.elevation[i] = static_cast<double>(z_[i]) + zBase_;
}

}  // namespace citytwin::flood::detail
