#include "citytwin/energy/newton_raphson.hpp"

#include <klu.h>

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

#include "citytwin/core/error.hpp"

namespace citytwin::energy {

std::string_view toString(LinearSolverKind kind) {
  return kind == LinearSolverKind::Klu ? "klu" : "eigen-sparselu";
}

namespace {

// The admittance matrix in compressed rows, with the diagonal always present.
struct AdmittanceMatrix {
  std::vector<int> rowStart;
  std::vector<int> column;
  std::vector<Complex> value;
};

AdmittanceMatrix buildAdmittance(const AcNetwork& net) {
  struct Entry {
    int row, col;
    Complex y;
  };
  std::vector<Entry> entries;
  entries.reserve(net.busCount() + 4 * net.branches.size());
  for (std::size_t b = 0; b < net.busCount(); ++b)
    entries.push_back({static_cast<int>(b), static_cast<int>(b), net.shunt[b]});
  for (const AcBranch& br : net.branches) {
    const Complex ys = 1.0 / Complex(br.r, br.x);
    const Complex tap = std::polar(br.ratio, br.shiftDeg * 3.14159265358979323846 / 180.0);
    const Complex ytt = ys + Complex(0, br.b / 2);
    entries.push_back({br.from, br.from, ytt / (br.ratio * br.ratio)});
    entries.push_back({br.from, br.to, -ys / std::conj(tap)});
    entries.push_back({br.to, br.from, -ys / tap});
    entries.push_back({br.to, br.to, ytt});
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.row != b.row ? a.row < b.row : a.col < b.col; });
  AdmittanceMatrix y;
  y.rowStart.assign(net.busCount() + 1, 0);
  int lastRow = -1, lastCol = -1;
  for (const Entry& e : entries) {
    if (e.row == lastRow && e.col == lastCol) {
      y.value.back() += e.y;
      continue;
    }
    y.column.push_back(e.col);
    y.value.push_back(e.y);
    ++y.rowStart[static_cast<std::size_t>(e.row) + 1];
    lastRow = e.row;
    lastCol = e.col;
  }
  std::partial_sum(y.rowStart.begin(), y.rowStart.end(), y.rowStart.begin());
  return y;
}

class LinearSolver {
 public:
  virtual ~LinearSolver() = default;
  // Factorises the matrix whose values are the first non-zeros of `values` (pattern fixed at construction)
  // and solves in place for the first n entries of `rhs`.
  virtual void factoriseAndSolve(std::vector<double>& values, std::vector<double>& rhs) = 0;
  // Chooses the pivot order on a representative matrix of the pattern, for later factorisations to reuse.
  virtual void choosePivots(std::vector<double>& values) = 0;
};

class KluSolver final : public LinearSolver {
 public:
  KluSolver(int n, std::vector<int> colStart, std::vector<int> rowIndex)
      : n_(n), colStart_(std::move(colStart)), rowIndex_(std::move(rowIndex)) {
    klu_defaults(&common_);
    // No row scaling: Jacobian entries in per unit are of one order, and scaling cost a tenth of every
    // refactorisation.
    common_.scale = -1;
    symbolic_ = klu_analyze(n_, colStart_.data(), rowIndex_.data(), &common_);
    if (!symbolic_) throw Error("power flow: KLU symbolic analysis failed");
  }
  ~KluSolver() override {
    if (numeric_) klu_free_numeric(&numeric_, &common_);
    if (symbolic_) klu_free_symbolic(&symbolic_, &common_);
  }
  KluSolver(const KluSolver&) = delete;
  KluSolver& operator=(const KluSolver&) = delete;

  void choosePivots(std::vector<double>& values) override {
    if (numeric_) klu_free_numeric(&numeric_, &common_);
    numeric_ = klu_factor(colStart_.data(), rowIndex_.data(), values.data(), symbolic_, &common_);
    // A singular representative matrix leaves the choice to the first solve.
  }

  void factoriseAndSolve(std::vector<double>& values, std::vector<double>& rhs) override {
    bool factored = false;
    if (numeric_) {
      // Refactorisation reuses the previous pivot order; fall back to a fresh factorisation when the
      // pivots have gone bad for the new numbers.
      factored = klu_refactor(colStart_.data(), rowIndex_.data(), values.data(), symbolic_, numeric_, &common_) &&
                 klu_rcond(symbolic_, numeric_, &common_) && common_.rcond > 1e-14;
      if (!factored) klu_free_numeric(&numeric_, &common_);
    }
    if (!factored) {
      numeric_ = klu_factor(colStart_.data(), rowIndex_.data(), values.data(), symbolic_, &common_);
      if (!numeric_) throw Error("power flow: the Jacobian is singular (is every island connected to a reference bus?)");
    }
    if (!klu_solve(symbolic_, numeric_, n_, 1, rhs.data(), &common_)) throw Error("power flow: KLU solve failed");
  }

 private:
  int n_;
  std::vector<int> colStart_, rowIndex_;
  klu_common common_{};
  klu_symbolic* symbolic_ = nullptr;
  klu_numeric* numeric_ = nullptr;
};

class EigenSolver final : public LinearSolver {
 public:
  EigenSolver(int n, const std::vector<int>& colStart, const std::vector<int>& rowIndex) : n_(n) {
    std::vector<double> zeros(rowIndex.size(), 1.0);
    const Eigen::Map<const Eigen::SparseMatrix<double, Eigen::ColMajor, int>> pattern(
        n, n, static_cast<int>(rowIndex.size()), colStart.data(), rowIndex.data(), zeros.data());
    matrix_ = pattern;
    lu_.analyzePattern(matrix_);
  }
  void choosePivots(std::vector<double>&) override {}  // SparseLU pivots anew in every factorisation
  void factoriseAndSolve(std::vector<double>& values, std::vector<double>& rhs) override {
    std::copy_n(values.begin(), matrix_.nonZeros(), matrix_.valuePtr());
    lu_.factorize(matrix_);
    if (lu_.info() != Eigen::Success) throw Error("power flow: the Jacobian is singular");
    Eigen::Map<Eigen::VectorXd> b(rhs.data(), n_);
    Eigen::VectorXd x = lu_.solve(b);
    b = x;
  }

 private:
  int n_;
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> matrix_;
  Eigen::SparseLU<Eigen::SparseMatrix<double, Eigen::ColMajor, int>, Eigen::COLAMDOrdering<int>> lu_;
};

}  // namespace

struct NewtonRaphsonPowerFlow::Impl {
  PowerFlowOptions options;
  std::size_t buses = 0;
  AdmittanceMatrix y;
  std::vector<double> yReal, yImag;          // y.value split, for the inner loops
  std::vector<int> angleVar, magnitudeVar;   // unknown index per bus or -1
  int unknowns = 0;
  // Positions in the Jacobian's value array of each admittance entry's four partial derivatives (dP/dangle,
  // dP/d|V|, dQ/dangle, dQ/d|V|); derivatives that are not in the Jacobian go to the scratch slot at
  // nonZeros.
  std::vector<std::size_t> slot;
  // Position in `rhs` of each bus's P and Q mismatch; those of fixed quantities go to the scratch slot at
  // unknowns.
  std::vector<std::size_t> rhsSlot;
  std::size_t nonZeros = 0;
  std::unique_ptr<LinearSolver> solver;
  std::vector<double> jac, rhs;
  std::vector<Complex> current;

  // Per bus |V|, 1 / |V| and the angle of the current iterate, kept in polar form between iterations (as
  // MATPOWER's newtonpf updates Va and Vm).
  std::vector<double> magnitude, inverseMagnitude, angle;

  double mismatch(const std::vector<Complex>& v, const std::vector<Complex>& s) {
    double worst = 0;
    // Real arithmetic on separate real and imaginary parts: std::complex's operator* checks for NaN (a call
    // to
    // __muldc3), and pairs of doubles built in memory stall on store forwarding.
    const double* vd = reinterpret_cast<const double*>(v.data());
    for (std::size_t i = 0; i < buses; ++i) {
      double re = 0, im = 0;
      for (int e = y.rowStart[i]; e < y.rowStart[i + 1]; ++e) {
        const double ar = yReal[e], ai = yImag[e];
        const std::size_t k = 2 * static_cast<std::size_t>(y.column[e]);
        const double br = vd[k], bi = vd[k + 1];
        re += ar * br - ai * bi;
        im += ar * bi + ai * br;
      }
      current[i] = Complex(re, im);
      // V_i conj(I_i) - S_i
      const double misP = v[i].real() * re + v[i].imag() * im - s[i].real();
      const double misQ = v[i].imag() * re - v[i].real() * im - s[i].imag();
      rhs[rhsSlot[2 * i]] = misP;
      rhs[rhsSlot[2 * i + 1]] = misQ;
      if (angleVar[i] >= 0) worst = std::max(worst, std::abs(misP));
      if (magnitudeVar[i] >= 0) worst = std::max(worst, std::abs(misQ));
    }
    return worst;
  }

  // The Jacobian at `v`, whose magnitudes are in `magnitude`.
  void fillJacobian(const std::vector<Complex>& v) {
    for (std::size_t i = 0; i < buses; ++i) inverseMagnitude[i] = 1.0 / magnitude[i];
    double* out = jac.data();
    const double* vd = reinterpret_cast<const double*>(v.data());
    for (std::size_t i = 0; i < buses; ++i) {
      const double vr = vd[2 * i], vi = vd[2 * i + 1];
      for (int e = y.rowStart[i]; e < y.rowStart[i + 1]; ++e) {
        const std::size_t k = static_cast<std::size_t>(y.column[e]);
        const double ar = yReal[e], ai = yImag[e];
        const double br = vd[2 * k], bi = vd[2 * k + 1];
        // yv = Y_ik V_k, and Y_ik V_k / |V_k| (the derivative with respect to |V_k|).
        const double yvr = ar * br - ai * bi;
        const double yvi = ar * bi + ai * br;
        const double scale = inverseMagnitude[k];
        const double yur = yvr * scale, yui = yvi * scale;
        // dMag = V_i conj(Y_ik V_k / |V_k|) (+ conj(I_i) V_k / |V_k| on the diagonal)
        double magR = vr * yur + vi * yui;
        double magI = vi * yur - vr * yui;
        double angR, angI;
        if (k != i) {
          // dAngle = -j V_i conj(Y_ik V_k)
          angR = vi * yvr - vr * yvi;
          angI = -(vr * yvr + vi * yvi);
        } else {
          // dAngle = j V_i conj(I_i - Y_ii V_i)
          const double dr = current[i].real() - yvr, di = current[i].imag() - yvi;
          angR = -(vi * dr - vr * di);
          angI = vr * dr + vi * di;
          const double ur = br * scale, ui = bi * scale;
          magR += current[i].real() * ur + current[i].imag() * ui;
          magI += current[i].real() * ui - current[i].imag() * ur;
        }
        // Slots of derivatives that are not unknowns point at a scratch entry past the matrix.
        const std::size_t at = 4 * static_cast<std::size_t>(e);
        out[slot[at + 0]] = angR;
        out[slot[at + 1]] = magR;
        out[slot[at + 2]] = angI;
        out[slot[at + 3]] = magI;
      }
    }
  }
};

NewtonRaphsonPowerFlow::NewtonRaphsonPowerFlow(const AcNetwork& network, PowerFlowOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.buses = network.busCount();
  if (m.buses == 0) throw Error("power flow: the network has no buses");
  m.y = buildAdmittance(network);
  for (const Complex& value : m.y.value) {
    m.yReal.push_back(value.real());
    m.yImag.push_back(value.imag());
  }
  m.angleVar.assign(m.buses, -1);
  m.magnitudeVar.assign(m.buses, -1);
  int next = 0;
  bool haveReference = false;
  for (std::size_t b = 0; b < m.buses; ++b) {
    if (network.roles[b] == BusRole::Reference) haveReference = true;
    else m.angleVar[b] = next++;
  }
  if (!haveReference) throw Error("power flow: the network has no reference bus");
  for (std::size_t b = 0; b < m.buses; ++b)
    if (network.roles[b] == BusRole::PQ) m.magnitudeVar[b] = next++;
  m.unknowns = next;

  // Sparsity pattern of the Jacobian, one slot per (admittance entry, partial derivative).
  struct Slot {
    int col, row, id;
  };
  std::vector<Slot> slots;
  const std::size_t entries = m.y.column.size();
  slots.reserve(4 * entries);
  for (std::size_t i = 0; i < m.buses; ++i)
    for (int e = m.y.rowStart[i]; e < m.y.rowStart[i + 1]; ++e) {
      const int k = m.y.column[e];
      const int pRow = m.angleVar[i], qRow = m.magnitudeVar[i];
      const int aCol = m.angleVar[k], vCol = m.magnitudeVar[k];
      if (pRow >= 0 && aCol >= 0) slots.push_back({aCol, pRow, 4 * e + 0});
      if (pRow >= 0 && vCol >= 0) slots.push_back({vCol, pRow, 4 * e + 1});
      if (qRow >= 0 && aCol >= 0) slots.push_back({aCol, qRow, 4 * e + 2});
      if (qRow >= 0 && vCol >= 0) slots.push_back({vCol, qRow, 4 * e + 3});
    }
  std::sort(slots.begin(), slots.end(),
            [](const Slot& a, const Slot& b) { return a.col != b.col ? a.col < b.col : a.row < b.row; });
  std::vector<int> colStart(static_cast<std::size_t>(m.unknowns) + 1, 0), rowIndex(slots.size());
  std::vector<int> position(4 * entries, -1);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    rowIndex[s] = slots[s].row;
    ++colStart[static_cast<std::size_t>(slots[s].col) + 1];
    position[static_cast<std::size_t>(slots[s].id)] = static_cast<int>(s);
  }
  std::partial_sum(colStart.begin(), colStart.end(), colStart.begin());
  m.nonZeros = slots.size();
  m.slot.resize(4 * entries);
  for (std::size_t e = 0; e < 4 * entries; ++e)
    m.slot[e] = position[e] >= 0 ? static_cast<std::size_t>(position[e]) : m.nonZeros;
  m.jac.assign(slots.size() + 1, 0.0);
  const std::size_t scratch = static_cast<std::size_t>(m.unknowns);
  m.rhsSlot.resize(2 * m.buses);
  for (std::size_t b = 0; b < m.buses; ++b) {
    m.rhsSlot[2 * b] = m.angleVar[b] >= 0 ? static_cast<std::size_t>(m.angleVar[b]) : scratch;
    m.rhsSlot[2 * b + 1] = m.magnitudeVar[b] >= 0 ? static_cast<std::size_t>(m.magnitudeVar[b]) : scratch;
  }
  m.rhs.assign(scratch + 1, 0.0);
  m.current.assign(m.buses, 0.0);
  m.magnitude.assign(m.buses, 0.0);
  m.inverseMagnitude.assign(m.buses, 0.0);
  m.angle.assign(m.buses, 0.0);
  if (m.unknowns > 0) {
    if (options.solver == LinearSolverKind::Klu)
      m.solver = std::make_unique<KluSolver>(m.unknowns, std::move(colStart), std::move(rowIndex));
    else
      m.solver = std::make_unique<EigenSolver>(m.unknowns, colStart, rowIndex);
    // The pivot order comes from the Jacobian at a flat start (every voltage 1 p.u., angle 0), which depends
    // on the network alone: every solve then only refactorises with it (a fresh factorisation replaces it
    // when the reciprocal condition estimate drops below 1e-14).
    const std::vector<Complex> flat(m.buses, Complex(1.0, 0.0));
    std::fill(m.magnitude.begin(), m.magnitude.end(), 1.0);
    m.mismatch(flat, std::vector<Complex>(m.buses));
    m.fillJacobian(flat);
    m.solver->choosePivots(m.jac);
  }
}

NewtonRaphsonPowerFlow::~NewtonRaphsonPowerFlow() = default;

std::size_t NewtonRaphsonPowerFlow::jacobianNonZeros() const { return impl_->nonZeros; }

PowerFlowOutcome NewtonRaphsonPowerFlow::solve(std::vector<Complex>& v, const std::vector<Complex>& injection) {
  Impl& m = *impl_;
  if (v.size() != m.buses || injection.size() != m.buses)
    throw Error("power flow: voltage and injection vectors must have one entry per bus");
  PowerFlowOutcome out;
  for (std::size_t i = 0; i < m.buses; ++i) {
    m.magnitude[i] = std::abs(v[i]);
    m.angle[i] = std::arg(v[i]);
  }
  out.maxMismatch = m.mismatch(v, injection);
  out.converged = out.maxMismatch < m.options.tolerance;
  while (!out.converged && out.iterations < m.options.maxIterations) {
    ++out.iterations;
    m.fillJacobian(v);
    m.solver->factoriseAndSolve(m.jac, m.rhs);   // rhs now holds J^-1 F
    for (std::size_t i = 0; i < m.buses; ++i) {
      if (m.angleVar[i] >= 0) m.angle[i] -= m.rhs[static_cast<std::size_t>(m.angleVar[i])];
      if (m.magnitudeVar[i] >= 0) m.magnitude[i] -= m.rhs[static_cast<std::size_t>(m.magnitudeVar[i])];
      v[i] = std::polar(m.magnitude[i], m.angle[i]);
    }
    out.maxMismatch = m.mismatch(v, injection);
    out.converged = out.maxMismatch < m.options.tolerance;
    if (!std::isfinite(out.maxMismatch)) break;
  }
  return out;
}

}  // namespace citytwin::energy
