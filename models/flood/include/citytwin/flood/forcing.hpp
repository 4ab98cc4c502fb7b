#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "citytwin/flood/time_series.hpp"

namespace citytwin::flood {

enum class Edge { North, South, East, West };

// Boundary conditions of LISFLOOD-FP's .bci file. Edges not covered by any segment are closed walls.
enum class BoundaryType {
  Closed,
  Free,       // outflow at normal depth: `value` is the slope, or <= 0 for the local water-surface slope
  FixedLevel, // HFIX: water-surface elevation (m)
  Level,      // HVAR: water-surface elevation series (m)
  FixedFlow,  // QFIX: discharge per unit width into the domain (m2/s)
  Flow,       // QVAR: discharge per unit width series (m2/s)
};

// A stretch of one domain edge: cells whose centre coordinate along the edge lies in [from, to]
// (y for West/East, x for North/South).
struct EdgeBoundary {
  Edge edge = Edge::West;
  double from = 0.0;
  double to = 0.0;
  BoundaryType type = BoundaryType::Closed;
  double value = 0.0;
  TimeSeries series;
};

// A point source or level at the cell containing (x, y). Flow types are total discharge (m3/s).
struct PointBoundary {
  double x = 0.0;
  double y = 0.0;
  BoundaryType type = BoundaryType::FixedFlow;
  double value = 0.0;
  TimeSeries series;
};

// Inflow spread evenly over the cells a polyline crosses (m3/s in total).
struct LineInflow {
  std::vector<double> xs;
  std::vector<double> ys;
  TimeSeries discharge;
};

// Rain in mm/h. With no zones the `uniform` series falls everywhere; with zones, cell i gets
// zoneSeries[zone[i]] (for gauges: the nearest gauge's series, Thiessen polygons).
struct Rainfall {
  TimeSeries uniform;
  std::vector<unsigned short> zone;
  std::vector<TimeSeries> zoneSeries;
  bool active() const { return !uniform.empty() || !zoneSeries.empty(); }
};

// Losses. Constant infiltration (mm/h) applies where `greenAmpt` is off; Green-Ampt uses the
// saturated conductivity, wetting-front suction head and moisture deficit.
struct Infiltration {
  double constantMmPerHour = 0.0;
  bool greenAmpt = false;
  double conductivityMmPerHour = 0.0;
  double suctionHeadM = 0.11;
  double moistureDeficit = 0.3;
  bool active() const { return constantMmPerHour > 0.0 || greenAmpt; }
};

struct Forcing {
  std::vector<EdgeBoundary> edges;
  std::vector<PointBoundary> points;
  std::vector<LineInflow> lines;
  Rainfall rainfall;
  Infiltration infiltration;
  // Drainage capacity per cell (mm/h), or empty for none.
  std::vector<float> drainageMmPerHour;
};

}  // namespace citytwin::flood
