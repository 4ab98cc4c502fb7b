"""citytwin.Simulation: stepping, get/set, fork identity, set() against the equivalent intervention, threads."""

import threading

import numpy as np
import pytest

import citytwin
from conftest import row, same_kpis, traffic_scenario

CLOSE_BRIDGES_AT_20M = {"kind": "set_attribute", "layer": "road_link", "attribute": "closed", "value": 1.0,
                        "where": {"bridge": True}, "at": "20m"}


def test_stepping_and_state(town):
    simulation = citytwin.Simulation(traffic_scenario(town))
    assert simulation.time == 0 and simulation.end == 2400 and simulation.variant == "base"
    seen = []
    simulation.on_step(seen.append)
    simulation.advance(600).advance_to(900)
    assert simulation.time == 900
    assert seen == sorted(set(seen)) and seen[0] == 0 and seen[-1] == 900 and len(seen) > 3
    ids = simulation.ids("road_link")
    assert ids == simulation.ids("road_links") == list(town.layer("road_links")["id"])
    flow = simulation.get("road_link", "flow_veh_per_h")
    assert flow.dtype == np.float64 and flow.shape == (len(ids),) and flow.sum() > 0
    assert "flow_veh_per_h" in simulation.columns("road_link")
    assert set(simulation.kpis()) >= {"traffic.vehicle_hours_delay", "traffic.trips"}
    with pytest.raises(citytwin.Error, match="before"):
        simulation.advance_to(10)
    with pytest.raises(citytwin.InputError, match="no road_link with id 'nowhere'"):
        simulation.set("road_link", "closed", ["nowhere"], 1.0)
    with pytest.raises(citytwin.Error, match="unknown layer"):
        simulation.get("river", "depth")
    with pytest.raises(citytwin.Error, match="no variant 'wet'"):
        citytwin.Simulation(traffic_scenario(town), variant="wet")


def test_fork_continues_identically(town):
    scenario = traffic_scenario(town)
    original = citytwin.Simulation(scenario)
    original.advance_to(1200)
    fork = original.fork()
    assert fork.time == 1200
    original.run()
    fork.run()
    assert same_kpis(fork.kpis(), original.kpis())
    assert np.array_equal(fork.get("road_link", "flow_veh_per_h"), original.get("road_link", "flow_veh_per_h"))
    # And the same as the branch run without a pause, by the scenario runner.
    assert same_kpis(original.kpis(), row(citytwin.run(scenario).kpis(), "base"))


def test_set_closes_bridges_as_the_intervention_does(town, bridge_ids):
    scenario = traffic_scenario(town)
    scenario.add_variant("bridges_closed_at_20m", [CLOSE_BRIDGES_AT_20M])
    expected = citytwin.run(scenario).kpis()
    simulation = citytwin.Simulation(scenario)
    simulation.advance_to(1200)
    untouched = simulation.fork()
    simulation.set("road_links", "closed", bridge_ids, 1.0)
    assert (simulation.get("road_link", "closed")[np.isin(simulation.ids("road_link"), bridge_ids)] == 1).all()
    simulation.run()
    untouched.run()
    assert same_kpis(simulation.kpis(), row(expected, "bridges_closed_at_20m"))
    assert same_kpis(untouched.kpis(), row(expected, "base"))
    assert simulation.kpis()["traffic.vehicle_hours_delay"] != untouched.kpis()["traffic.vehicle_hours_delay"]


def test_two_threads_run_two_simulations(town, bridge_ids):
    scenario = traffic_scenario(town)
    scenario.add_variant("closed", [dict(CLOSE_BRIDGES_AT_20M, at="0s")])
    expected = {name: citytwin.Simulation(scenario, name).run().kpis() for name in ("base", "closed")}
    results = {}

    def work(name):
        results[name] = citytwin.Simulation(scenario, name).run().kpis()

    threads = [threading.Thread(target=work, args=(name,)) for name in ("base", "closed")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(same_kpis(results[name], expected[name]) for name in expected)
    assert results["base"] != results["closed"]


def test_monaco(monaco_city):
    """On the real city: a short flood, its state read, forked and continued identically."""
    scenario = citytwin.Scenario(city=monaco_city, start="2026-07-01T14:00:00Z", duration="10m", models=["flood"],
                                 inputs={"flood": {"cell_size_m": 20, "rain_series": [[0, 80], [600, 80]]}})
    simulation = citytwin.Simulation(scenario)
    simulation.advance_to(300)
    depth = simulation.get("road_link", "max_flood_depth_m")
    assert depth.shape == (monaco_city.info()["road_links"],) and depth.max() > 0
    fork = simulation.fork()
    assert same_kpis(simulation.run().kpis(), fork.run().kpis())
