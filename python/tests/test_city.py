"""citytwin.City: info equals the command line's, layers as DataFrames, the DEM as numpy."""

import math

import numpy as np
import pytest

import citytwin
from conftest import cli, cli_json

COUNTS = {"buildings": "buildings", "road_links": "road_links", "road_nodes": "road_nodes", "sensors": "sensors"}


def check_city(city):
    info = city.info()
    assert info == cli_json("city", "info", city.path)
    for layer in citytwin.City.LAYERS:
        frame = city.layer(layer)
        assert frame.columns[0] == "id" and "geometry" in frame.columns
        assert frame["id"].is_unique
        if layer in COUNTS:
            assert len(frame) == info[COUNTS[layer]]
        if len(frame):
            assert frame["geometry"].iloc[0].split(" ")[0] in ("POINT", "LINESTRING", "POLYGON", "MULTIPOLYGON")
    array, transform, crs = city.dem()
    assert crs == info["crs"]
    assert array.shape == (info["dem_size"]["rows"], info["dem_size"]["columns"])
    assert array.dtype == np.float32
    assert transform[1] == info["dem_size"]["cell_size_m"] and transform[5] == -transform[1]
    assert math.isclose(transform[0], info["extent"][0], abs_tol=info["dem_size"]["cell_size_m"] * 2)
    assert np.isfinite(array).any()


def test_sample_city_matches_command_line(sample_city):
    check_city(sample_city)
    links = sample_city.layer("road_links")
    assert {"length_m", "bridge", "lanes"} <= set(links.columns)
    assert links["length_m"].dtype == np.float64


def test_monaco_matches_command_line(monaco_city):
    check_city(monaco_city)


def test_generate_is_deterministic_and_the_command_lines(tmp_path):
    first = citytwin.City.generate(size_km=1, seed=3, path=tmp_path / "a.gpkg")
    second = citytwin.City.generate(size_km=1, seed=3)
    assert first.info() == second.info()
    assert first.layer("buildings").equals(second.layer("buildings"))
    cli("city", "generate", "--out", str(tmp_path / "cli.gpkg"), "--size-km", "1", "--seed", "3")
    assert first.info() == cli_json("city", "info", str(tmp_path / "cli.gpkg"))
    assert first.info() != citytwin.City.generate(size_km=1, seed=4).info()


def test_errors(sample_city, tmp_path):
    with pytest.raises(citytwin.InputError) as error:
        sample_city.layer("trees")
    assert error.value.key == "layer"
    with pytest.raises(citytwin.Error, match="does not exist"):
        citytwin.City.open(tmp_path / "missing.gpkg")
