"""citytwin.Scenario: a scenario as a value, read from a TOML file or built in code."""

import os

from . import _citytwin


class Scenario:
    """A scenario: a city, a time span, models with their inputs, and what-if variants.

    Scenario.from_file(path) reads a scenario file (scenarios/README.md); Scenario(city=..., ...) builds
    one in code. Either way the engine validates it, and a problem raises citytwin.InputError naming
    the file, line and key. Scenarios can be pickled (they travel to dask workers).
    """

    def __init__(self, city, start, duration, step=None, models=(), inputs=None, seed=1, name="scenario",
                 description="", state_step=None, generate=None):
        """Build a scenario in code.

        city: a city file path or a citytwin.City; start: ISO 8601 text or a datetime (UTC when naive);
        duration, step (KPI series interval), state_step (state recording interval): text such as "2h",
        "15m" or seconds; models: model names in publishing order, or "all"; inputs: {model: {parameter:
        value}} as the scenario file's [<model>] tables; seed: the random seed; generate: {"size_km": 2,
        "seed": 1} to generate the city file when it is missing.
        """
        from .city import City

        city_path = city.path if isinstance(city, City) else os.fspath(city)
        models = models if isinstance(models, str) else list(models)
        self._recipe = [("create", dict(city=os.path.abspath(city_path), start=start, duration=duration, step=step,
                                        state_step=state_step, models=models, inputs=dict(inputs or {}),
                                        seed=int(seed), name=name, description=description, generate=generate))]
        self._native = _citytwin.Scenario.create(**self._recipe[0][1])

    @classmethod
    def from_file(cls, path):
        """Read and validate a scenario file (TOML, scenarios/README.md)."""
        scenario = cls.__new__(cls)
        # Read as given, so messages name the file as the command line would; replayed by absolute path.
        scenario._native = _citytwin.Scenario.from_file(os.fspath(path))
        scenario._recipe = [("file", os.path.abspath(os.fspath(path)))]
        return scenario

    def add_variant(self, name, interventions=(), description="", seed=None):
        """Add a what-if: the base with `interventions` applied, each a dict as a [[variant.intervention]]
        table, e.g. {"kind": "set_attribute", "layer": "road_link", "attribute": "closed", "value": 1.0,
        "where": {"bridge": True}}. Returns self, so calls chain."""
        interventions = [dict(each) for each in interventions]
        self._native.add_variant(name, interventions, description, seed)
        self._recipe.append(("variant", name, interventions, description, seed))
        return self

    @property
    def variants(self):
        """Names of the variants in order (the base, "base", is implicit and not listed)."""
        return list(self._native.variants)

    @property
    def name(self):
        """The scenario's name."""
        return self._native.name

    @property
    def city(self):
        """The city file's path."""
        return self._native.city

    @property
    def models(self):
        """The base's models in publishing order."""
        return list(self._native.models)

    @property
    def duration(self):
        """The run's length in seconds."""
        return self._native.duration

    @property
    def branches(self):
        """"base" followed by the variants."""
        return ["base"] + self.variants

    # Pickling replays the recipe, so the scenario is rebuilt (and validated) by the engine elsewhere.
    def __getstate__(self):
        return {"recipe": self._recipe}

    def __setstate__(self, state):
        recipe = state["recipe"]
        first = recipe[0]
        if first[0] == "file":
            native = _citytwin.Scenario.from_file(first[1])
        else:
            native = _citytwin.Scenario.create(**first[1])
        for _, name, interventions, description, seed in recipe[1:]:
            native.add_variant(name, interventions, description, seed)
        self._recipe = list(recipe)
        self._native = native

    def __repr__(self):
        return f"citytwin.Scenario({self.name!r}, variants={self.variants!r})"
