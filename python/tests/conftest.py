"""Shared fixtures: the command line, the sample town and small scenarios on it.

The sample town is generated into out/sample-city.gpkg on first use (as `citytwin run` does), so the
suite also runs on a fresh clone. CITYTWIN_CLI names the command line (default: the release build's).
"""

import json
import os
import subprocess

import pytest

import citytwin

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.environ.get("CITYTWIN_CLI", os.path.join(ROOT, "build", "release", "tools", "cli", "citytwin"))
SAMPLE_CITY = os.path.join(ROOT, "out", "sample-city.gpkg")


def cli(*arguments, check=True):
    """Runs the command line; returns (exit code, stdout, stderr)."""
    result = subprocess.run([CLI, *arguments], capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"citytwin {' '.join(arguments)} failed: {result.stderr}")
    return result.returncode, result.stdout, result.stderr


def cli_json(*arguments):
    return json.loads(cli(*arguments, "--json")[1])


@pytest.fixture(scope="session")
def sample_city():
    if not os.path.exists(SAMPLE_CITY):
        os.makedirs(os.path.dirname(SAMPLE_CITY), exist_ok=True)  # a fresh clone has no out/ yet
        cli("city", "generate", "--out", SAMPLE_CITY, "--size-km", "2", "--seed", "1")
    return citytwin.City.open(SAMPLE_CITY)


@pytest.fixture(scope="session")
def town(tmp_path_factory):
    """A 1 km town (generated, with a river and bridges): a traffic branch builds in a fraction of the
    sample town's time, which keeps the simulation, thread and dask cases short."""
    return citytwin.City.generate(size_km=1, seed=1, path=tmp_path_factory.mktemp("town") / "town.gpkg")


@pytest.fixture(scope="session")
def bridge_ids(town):
    links = town.layer("road_links")
    ids = list(links.loc[links["bridge"] == 1, "id"])
    assert ids, "the town has bridges"
    return ids


def traffic_scenario(city, duration="40m"):
    """A short traffic-only morning (cheap enough for unit tests)."""
    return citytwin.Scenario(city=city, start="2026-07-01T07:00:00Z", duration=duration, step="5m",
                             models=["traffic"], seed=1, name="traffic_morning")


@pytest.fixture(scope="session")
def monaco_city():
    """Monaco: out/monaco.gpkg, imported from the reference data on first use as the main job does."""
    path = os.environ.get("CITYTWIN_MONACO_CITY", os.path.join(ROOT, "out", "monaco.gpkg"))
    if not os.path.exists(path):
        shared = os.environ.get("CITYTWIN_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data"))
        monaco = os.path.join(shared, "city", "monaco")
        if not os.path.isdir(monaco):
            pytest.skip(f"Monaco reference data {monaco} is missing")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        cli("city", "import", "--osm", f"{monaco}/monaco-latest.osm.pbf", "--dem",
            f"{monaco}/monaco_dem_srtm3_wgs84.tif", "--aoi", f"{monaco}/monaco_aoi.geojson", "--out", path)
    return citytwin.City.open(path)


def same_kpis(first, second):
    """Two {kpi: value} mappings hold the same KPIs, bit for bit (NaN equal to NaN)."""
    first, second = dict(first), dict(second)
    if first.keys() != second.keys():
        return False
    return all(a == b or (a != a and b != b) for a, b in ((first[k], second[k]) for k in first))


def row(frame, variant):
    """A variant's KPIs from Run.kpis() as {kpi: value}."""
    return frame.loc[variant].to_dict()
