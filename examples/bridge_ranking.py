#!/usr/bin/env python3
"""Which bridge costs most when it closes? One variant per bridge of the sample town (both directions of
its links closed), run side by side; prints the bridges ranked by the extra vehicle-hours of delay.

Run: PYTHONPATH=build/release/python /usr/bin/python3 examples/bridge_ranking.py
"""

import os

import citytwin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
CITY = os.path.join(ROOT, "out", "sample-city.gpkg")


def main():
    city = citytwin.City.open(CITY) if os.path.exists(CITY) else citytwin.City.generate(size_km=2, seed=1, path=CITY)
    links = city.layer("road_links")
    bridges = links[links["bridge"] == 1]
    # One bridge = the links of one way: a link's id is "<way>:<piece>:<direction>" ("sample:way/12:0:f").
    ways = bridges["id"].str.rsplit(":", n=2).str[0]
    scenario = citytwin.Scenario(city=city, start="2026-07-01T07:00:00Z", duration="1h", models=["traffic"],
                                 name="bridge_closures")
    for way, group in bridges.groupby(ways):
        name = "bridge_" + "".join(c if c.isalnum() else "_" for c in way.split(":")[-1])
        scenario.add_variant(name, [{"kind": "set_attribute", "layer": "road_link", "attribute": "closed",
                                     "value": 1.0, "ids": list(group["id"])}],
                             description=f"{way} ({group['name'].iloc[0] or 'unnamed'}) closed")
    kpis = citytwin.run(scenario).kpis()
    delay = kpis["traffic.vehicle_hours_delay"]
    ranking = (delay.drop("base") - delay["base"]).sort_values(ascending=False).rename("extra_delay_veh_h")
    table = ranking.to_frame()
    table["trips_not_completed"] = kpis["traffic.trips_not_completed"]
    print(f"base: {delay['base']:.1f} vehicle-hours of delay; {len(ranking)} bridges")
    print(table.to_string(float_format=lambda v: f"{v:.1f}"))


if __name__ == "__main__":
    main()
