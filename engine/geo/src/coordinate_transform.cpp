#include "citytwin/geo/coordinate_transform.hpp"

#include <proj.h>

#include <algorithm>
#include <cmath>

#include "citytwin/core/error.hpp"

namespace citytwin::geo {

int utmEpsgFor(LonLat position) {
  int zone = static_cast<int>(std::floor((position.lon + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  return (position.lat >= 0 ? 32600 : 32700) + zone;
}

struct CoordinateTransform::State {
  PJ_CONTEXT* context = nullptr;
  PJ* transform = nullptr;
  PJ* target = nullptr;
  ~State() {
    if (transform) proj_destroy(transform);
    if (target) proj_destroy(target);
    if (context) proj_context_destroy(context);
  }
};

CoordinateTransform::CoordinateTransform(const std::string& crs) : state_(std::make_unique<State>()) {
  state_->context = proj_context_create();
  // Grids and network access are never needed for WGS 84 <-> UTM-like transforms; keep PROJ offline.
  proj_context_set_enable_network(state_->context, 0);
  proj_log_level(state_->context, PJ_LOG_NONE);
  state_->target = proj_create(state_->context, crs.c_str());
  if (!state_->target) throw Error("unknown coordinate reference system '" + crs + "'");
  PJ* raw = proj_create_crs_to_crs(state_->context, "EPSG:4326", crs.c_str(), nullptr);
  if (!raw) throw Error("no transformation from WGS 84 to '" + crs + "'");
  // Longitude first, latitude second, whatever the CRS's official axis order.
  state_->transform = proj_normalize_for_visualization(state_->context, raw);
  proj_destroy(raw);
  if (!state_->transform) throw Error("cannot normalise the transformation to '" + crs + "'");
}

CoordinateTransform::~CoordinateTransform() = default;
CoordinateTransform::CoordinateTransform(CoordinateTransform&&) noexcept = default;
CoordinateTransform& CoordinateTransform::operator=(CoordinateTransform&&) noexcept = default;

Vec2 CoordinateTransform::fromWgs84(LonLat position) const {
  const PJ_COORD in = proj_coord(position.lon, position.lat, 0, 0);
  const PJ_COORD out = proj_trans(state_->transform, PJ_FWD, in);
  return {out.xy.x, out.xy.y};
}

LonLat CoordinateTransform::toWgs84(Vec2 position) const {
  const PJ_COORD in = proj_coord(position.x, position.y, 0, 0);
  const PJ_COORD out = proj_trans(state_->transform, PJ_INV, in);
  return {out.lp.lam, out.lp.phi};
}

std::string CoordinateTransform::wkt() const {
  const char* text = proj_as_wkt(state_->context, state_->target, PJ_WKT2_2019, nullptr);
  return text ? std::string(text) : std::string();
}

}  // namespace citytwin::geo
