"""citytwin.Scenario: from a file and in code, variants, pickling, and InputError as the command line says it."""

import json
import pickle

import pytest

import citytwin
from conftest import ROOT, cli, traffic_scenario


def test_from_file_reads_the_variants():
    scenario = citytwin.Scenario.from_file(f"{ROOT}/scenarios/flood_storm.toml")
    assert scenario.name == "flood_storm"
    assert scenario.variants == ["cloudburst_doubled", "wall", "bigger_drains", "retention_basin"]
    assert scenario.branches[0] == "base" and scenario.models == ["flood"]
    assert scenario.duration == 3 * 3600


def test_built_in_code(town, bridge_ids):
    scenario = traffic_scenario(town)
    scenario.add_variant("closed", [{"kind": "set_attribute", "layer": "road_link", "attribute": "closed",
                                     "value": 1.0, "ids": bridge_ids[:2]}], description="two links closed")
    assert scenario.variants == ["closed"]
    assert scenario.duration == 2400 and scenario.city == town.path
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy.variants == scenario.variants and copy.duration == scenario.duration


def test_file_errors_match_the_command_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('name = "bad"\ncity = "c.gpkg"\nstart = 2026-07-01T07:00:00Z\nduration = "2x"\nmodels = ["flood"]\n')
    with pytest.raises(citytwin.InputError) as error:
        citytwin.Scenario.from_file(str(path))
    code, out, _ = cli("run", str(path), "--json", check=False)
    expected = json.loads(out)["error"]
    assert code == 1
    assert (error.value.file, error.value.line, error.value.key) == (expected["file"], expected["line"], expected["key"])
    assert str(error.value) == expected["message"]
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize("arguments, key", [
    ({"duration": "2x"}, "duration"),
    ({"duration": -5}, "duration"),
    ({"start": "yesterday"}, "start"),
    ({"models": ["flood", "tides"]}, "models"),
    ({"inputs": {"tides": {}}}, "inputs.tides"),
    ({"step": "3h"}, "step"),
])
def test_code_errors_name_the_key(town, arguments, key):
    settings = dict(city=town, start="2026-07-01T07:00:00Z", duration="1h", models=["traffic"])
    settings.update(arguments)
    with pytest.raises(citytwin.InputError) as error:
        citytwin.Scenario(**settings)
    assert error.value.key == key
    assert error.value.file == "" and error.value.line == 0


def test_bad_variant_is_refused_and_the_scenario_stays_valid(town):
    scenario = traffic_scenario(town)
    with pytest.raises(citytwin.InputError) as error:
        scenario.add_variant("wet", [{"kind": "raise_line", "model": "flood"}])
    assert error.value.key == "variant[1].intervention[1].kind"
    with pytest.raises(citytwin.InputError) as error:
        scenario.add_variant("base")
    assert error.value.key == "variant[1].name"
    assert scenario.variants == []
