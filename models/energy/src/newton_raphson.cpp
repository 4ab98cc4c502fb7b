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
  // Factorises the matrix whose values are `values` (pattern fixed at construction) and solves in place.
  virtual void factoriseAndSolve(std::vector<double>& values, std::vector<double>& rhs) = 0;
};

class KluSolver final : public LinearSolver {
 public:
  KluSolver(int n, std::vector<int> colStart, std::vector<int> rowIndex)
      : n_(n), colStart_(std::move(colStart)), rowIndex_(std::move(rowIndex)) {
    klu_defaults(&common_);
    symbolic_ = klu_analyze(n_, colStart_.data(), rowIndex_.data(), &common_);
    if (!symbolic_) throw Error("power flow: KLU symbolic analysis failed");
  }
  ~KluSolver() override {
    if (numeric_) klu_free_numeric(&numeric_, &common_);
    if (symbolic_) klu_free_symbolic(&symbolic_, &common_);
  }
  KluSolver(const KluSolver&) = delete;
  KluSolver& operator=(const KluSolver&) = delete;

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
  EigenSolver(int n, const std::vector<int>& colStart, const std::vector<int>& rowIndex) {
    std::vector<double> zeros(rowIndex.size(), 1.0);
    const Eigen::Map<const Eigen::SparseMatrix<double, Eigen::ColMajor, int>> pattern(
        n, n, static_cast<int>(rowIndex.size()), colStart.data(), rowIndex.data(), zeros.data());
    matrix_ = pattern;
    lu_.analyzePattern(matrix_);
  }
  void factoriseAndSolve(std::vector<double>& values, std::vector<double>& rhs) override {
    std::copy(values.begin(), values.end(), matrix_.valuePtr());
    lu_.factorize(matrix_);
    if (lu_.info() != Eigen::Success) throw Error("power flow: the Jacobian is singular");
    Eigen::Map<Eigen::VectorXd> b(rhs.data(), static_cast<Eigen::Index>(rhs.size()));
    Eigen::VectorXd x = lu_.solve(b);
    b = x;
  }

 private:
  Eigen::SparseMatrix<double, Eigen::ColMajor, int> matrix_;
  Eigen::SparseLU<Eigen::SparseMatrix<double, Eigen::ColMajor, int>, Eigen::COLAMDOrdering<int>> lu_;
};

}  // namespace

struct NewtonRaphsonPowerFlow::Impl {
  PowerFlowOptions options;
  std::size_t buses = 0;
  AdmittanceMatrix y;
  std::vector<int> angleVar, magnitudeVar;   // unknown index per bus or -1
  int unknowns = 0;
  // Positions in the Jacobian's value array of each admittance entry's four partial derivatives (or -1).
  std::vector<int> posPAngle, posPMag, posQAngle, posQMag;
  std::size_t nonZeros = 0;
  std::unique_ptr<LinearSolver> solver;
  std::vector<double> jac, rhs;
  std::vector<Complex> current;

  double mismatch(const std::vector<Complex>& v, const std::vector<Complex>& s) {
    double worst = 0;
    for (std::size_t i = 0; i < buses; ++i) {
      Complex sum = 0;
      for (int e = y.rowStart[i]; e < y.rowStart[i + 1]; ++e) sum += y.value[e] * v[y.column[e]];
      current[i] = sum;
      const Complex mis = v[i] * std::conj(sum) - s[i];
      if (angleVar[i] >= 0) {
        rhs[angleVar[i]] = mis.real();
        worst = std::max(worst, std::abs(mis.real()));
      }
      if (magnitudeVar[i] >= 0) {
        rhs[magnitudeVar[i]] = mis.imag();
        worst = std::max(worst, std::abs(mis.imag()));
      }
    }
    return worst;
  }

  void fillJacobian(const std::vector<Complex>& v) {
    const Complex j(0, 1);
    for (std::size_t i = 0; i < buses; ++i) {
      const Complex vi = v[i];
      for (int e = y.rowStart[i]; e < y.rowStart[i + 1]; ++e) {
        const std::size_t k = static_cast<std::size_t>(y.column[e]);
        const Complex vk = v[k];
        const Complex unitK = vk / std::abs(vk);
        const Complex yv = y.value[e] * vk;
        Complex dAngle, dMag;
        if (k != i) {
          dAngle = -j * vi * std::conj(yv);
          dMag = vi * std::conj(y.value[e] * unitK);
        } else {
          dAngle = j * vi * std::conj(current[i] - yv);
          dMag = vi * std::conj(y.value[e] * unitK) + std::conj(current[i]) * unitK;
        }
        if (posPAngle[e] >= 0) jac[posPAngle[e]] = dAngle.real();
        if (posPMag[e] >= 0) jac[posPMag[e]] = dMag.real();
        if (posQAngle[e] >= 0) jac[posQAngle[e]] = dAngle.imag();
        if (posQMag[e] >= 0) jac[posQMag[e]] = dMag.imag();
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
  m.posPAngle.resize(entries);
  m.posPMag.resize(entries);
  m.posQAngle.resize(entries);
  m.posQMag.resize(entries);
  for (std::size_t e = 0; e < entries; ++e) {
    m.posPAngle[e] = position[4 * e + 0];
    m.posPMag[e] = position[4 * e + 1];
    m.posQAngle[e] = position[4 * e + 2];
    m.posQMag[e] = position[4 * e + 3];
  }
  m.nonZeros = slots.size();
  m.jac.assign(slots.size(), 0.0);
  m.rhs.assign(static_cast<std::size_t>(m.unknowns), 0.0);
  m.current.assign(m.buses, 0.0);
  if (m.unknowns > 0) {
    if (options.solver == LinearSolverKind::Klu)
      m.solver = std::make_unique<KluSolver>(m.unknowns, std::move(colStart), std::move(rowIndex));
    else
      m.solver = std::make_unique<EigenSolver>(m.unknowns, colStart, rowIndex);
  }
}

NewtonRaphsonPowerFlow::~NewtonRaphsonPowerFlow() = default;

std::size_t NewtonRaphsonPowerFlow::jacobianNonZeros() const { return impl_->nonZeros; }

PowerFlowOutcome NewtonRaphsonPowerFlow::solve(std::vector<Complex>& v, const std::vector<Complex>& injection) {
  Impl& m = *impl_;
  if (v.size() != m.buses || injection.size() != m.buses)
    throw Error("power flow: voltage and injection vectors must have one entry per bus");
  PowerFlowOutcome out;
  out.maxMismatch = m.mismatch(v, injection);
  out.converged = out.maxMismatch < m.options.tolerance;
  while (!out.converged && out.iterations < m.options.maxIterations) {
    ++out.iterations;
    m.fillJacobian(v);
    m.solver->factoriseAndSolve(m.jac, m.rhs);   // rhs now holds J^-1 F
    for (std::size_t i = 0; i < m.buses; ++i) {
      double magnitude = std::abs(v[i]);
      double angle = std::arg(v[i]);
      if (m.angleVar[i] >= 0) angle -= m.rhs[m.angleVar[i]];
      if (m.magnitudeVar[i] >= 0) magnitude -= m.rhs[m.magnitudeVar[i]];
      v[i] = Complex(magnitude * std::cos(angle), magnitude * std::sin(angle));
    }
    out.maxMismatch = m.mismatch(v, injection);
    out.converged = out.maxMismatch < m.options.tolerance;
    if (!std::isfinite(out.maxMismatch)) break;
  }
  return out;
}

}  // namespace citytwin::energy
