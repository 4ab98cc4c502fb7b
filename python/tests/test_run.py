"""citytwin.run: KPIs bit-identical to `citytwin run --json`, the run folder's tables and rasters."""

import glob
import os

import numpy as np
import pytest

import citytwin
from conftest import ROOT, cli_json, same_kpis

# The shipped scenarios; the heavier ones (10-20 s each on an idle machine, twice) are marked slow and run
# by `pytest -m slow` (python/README.md).
FAST = {"sample_city", "energy_heatwave"}
SCENARIOS = sorted(glob.glob(f"{ROOT}/scenarios/*.toml"))


def scenario_param(path):
    name = os.path.basename(path)[:-5]
    marks = [] if name in FAST else [pytest.mark.slow]
    return pytest.param(path, id=name, marks=marks)


def assert_same_kpis(run, document):
    frame = run.kpis()
    # An ensemble's rows are (variant, member), as the command line lists its members.
    ensemble = "ensemble" in document
    assert run.is_ensemble == ensemble
    keys = [(v["name"], v["member"]) if ensemble else v["name"] for v in document["variants"]]
    assert list(frame.index) == keys
    for key, variant in zip(keys, document["variants"]):
        # JSON writes NaN as null; a KPI only other variants report is NaN in the frame.
        expected = {kpi: float("nan") if value is None else value for kpi, value in variant["kpis"].items()}
        actual = {kpi: value for kpi, value in frame.loc[key].items() if kpi in expected or value == value}
        assert same_kpis(actual, expected), key  # exact: every value bit for bit


@pytest.mark.parametrize("path", [scenario_param(path) for path in SCENARIOS])
def test_kpis_equal_the_command_line(path, tmp_path, sample_city, request):
    if "monaco" in path:
        request.getfixturevalue("monaco_city")  # out/monaco.gpkg, imported on first use
    document = cli_json("run", path, "--out", str(tmp_path / "cli"))
    run = citytwin.run(citytwin.Scenario.from_file(path), out=tmp_path / "python")
    assert_same_kpis(run, document)
    assert run.kpis().shape[1] > 0
    again = citytwin.Run.open(tmp_path / "cli")
    assert_same_kpis(again, document)


def test_run_folder(town, bridge_ids, tmp_path):
    scenario = citytwin.Scenario(city=town, start="2026-07-01T07:00:00Z", duration="20m", step="5m",
                                 state_step="5m", models=["flood", "traffic"], name="short")
    scenario.add_variant("closed", [{"kind": "set_attribute", "layer": "road_link", "attribute": "closed",
                                     "value": 1.0, "where": {"bridge": True}}])
    run = citytwin.run(scenario, threads=1, out=tmp_path)
    assert run.variants == ["base", "closed"] and run.status == "completed"
    kpis = run.kpis()
    assert kpis.index.name == "variant" and all(dtype == np.float64 for dtype in kpis.dtypes)
    assert kpis.loc["closed", "traffic.vehicle_hours_delay"] > kpis.loc["base", "traffic.vehicle_hours_delay"]
    array, transform, crs = run.raster("base", "flood/max_depth_m")
    assert array.ndim == 2 and array.size > 0 and crs == town.info()["crs"] and transform[5] == -transform[1]
    trips = run.table("closed", "traffic/trips")
    assert {"id", "travel_time_s", "status"} <= set(trips.columns) and len(trips) > 0
    state = run.table("closed", "state/road_link")
    closed = state[state["id"].isin(bridge_ids)]["closed"]
    assert len(closed) and (closed == 1).all()
    # A temporary folder when `out` is not given; the same KPIs with all threads.
    assert run.kpis().equals(citytwin.run(scenario).kpis())
    with pytest.raises(citytwin.Error, match="no variant 'wet'"):
        run.table("wet", "traffic/trips")
    with pytest.raises(citytwin.Error, match="no such raster"):
        run.raster("base", "flood/nothing")
    with pytest.raises(citytwin.Error, match="run.sqlite"):
        citytwin.Run.open(tmp_path / "base")
