"""The package: its version and a docstring on every public name."""

import inspect

import citytwin
from conftest import cli

PUBLIC = ["City", "Scenario", "Run", "Simulation", "run", "InputError", "Error"]


def test_version_is_the_command_lines():
    assert cli("--version")[1].strip() == f"citytwin {citytwin.__version__}"


def test_every_public_name_has_a_docstring():
    assert set(PUBLIC) <= set(citytwin.__all__)
    assert inspect.getdoc(citytwin)
    for name in PUBLIC:
        item = getattr(citytwin, name)
        assert inspect.getdoc(item), name
        if inspect.isclass(item) and not issubclass(item, Exception):
            for member, value in vars(item).items():
                if not member.startswith("_"):
                    assert inspect.getdoc(value), f"{name}.{member}"
