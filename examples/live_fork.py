#!/usr/bin/env python3
"""A live what-if: start the sample town from observed state set in code (as `citytwin run --from-live`
starts from a context service: heavy rain now, a road closed by the police), run to t = 30 min, fork the
simulation in memory and compare two remedies from there: reopening the closed roads, or closing the
bridges before the river rises.

Run: PYTHONPATH=build/release/python /usr/bin/python3 examples/live_fork.py
"""

import os

import pandas as pd

import citytwin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CITY = os.path.join(ROOT, "out", "sample-city.gpkg")


def main():
    city = citytwin.City.open(CITY) if os.path.exists(CITY) else citytwin.City.generate(size_km=2, seed=1, path=CITY)
    flood = {"cell_size_m": 40, "precision": "float", "rain_series": [[0, 50], [2700, 50], [3600, 0]],
             "infiltration_mm_per_h": 5, "drainage_mm_per_h": 10}
    scenario = citytwin.Scenario(city=city, start="2026-07-01T07:00:00Z", duration="1h30m",
                                 models=["flood", "traffic"], inputs={"flood": flood}, name="live")
    live = citytwin.Simulation(scenario)
    links = city.layer("road_links")
    # The live state: the two busiest primary links closed by an incident (observations set in code).
    incident = list(links[links["highway"] == "primary"]["id"][:2])
    live.set("road_link", "closed", incident, 1.0)
    live.advance_to(30 * 60)
    print(f"t = {live.time / 60:.0f} min: {int(live.get('road_link', 'closed').sum())} links closed, "
          f"deepest road flooding {live.get('road_link', 'max_flood_depth_m').max():.2f} m")

    options = {"do nothing": live.fork(), "reopen incident": live.fork(), "close bridges": live.fork()}
    options["reopen incident"].set("road_link", "closed", incident, 0.0)
    bridges = list(links[links["bridge"] == 1]["id"])
    options["close bridges"].set("road_link", "closed", bridges, 1.0)
    for simulation in options.values():
        simulation.run()
    kpis = pd.DataFrame({name: simulation.kpis() for name, simulation in options.items()}).T
    columns = ["traffic.vehicle_hours_delay", "traffic.trips_not_completed", "flood.impassable_links"]
    print(kpis[columns].to_string(float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
