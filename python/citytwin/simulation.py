"""citytwin.Simulation: one branch of a scenario stepped, read, changed and forked from Python."""

import numpy as np

from . import _citytwin
from ._layers import state_layer


class Simulation:
    """One branch (the base or a variant) of a scenario, stepped from Python.

    Each simulation has its own city state and models; several can live in one process, and Python
    threads running different simulations run in parallel (the GIL is released while models compute).
    Times are seconds from the scenario's start. One simulation is used by one thread at a time.
    """

    def __init__(self, scenario, variant="base", _native=None):
        """Build the branch `variant` of `scenario` at t = 0 (models initialised, nothing stepped)."""
        self._native = _native if _native is not None else _citytwin.Simulation(scenario._native, variant)
        self._callbacks = []

    @property
    def time(self):
        """The simulated time in seconds from the start."""
        return self._native.time

    @property
    def end(self):
        """The end of the run in seconds."""
        return self._native.end

    @property
    def variant(self):
        """The branch's name."""
        return self._native.variant

    @property
    def finished(self):
        """True once the simulation reached its end."""
        return self._native.time >= self._native.end

    def _notify(self, t):
        for callback in self._callbacks:
            callback(t)

    def advance_to(self, t):
        """Step until time t (seconds, clamped to the end); on_step callbacks run at every boundary."""
        self._native.advance_to(float(t), self._notify if self._callbacks else None)
        return self

    def advance(self, seconds):
        """Step `seconds` further."""
        return self.advance_to(self._native.time + float(seconds))

    def run(self):
        """Step to the end."""
        return self.advance_to(self._native.end)

    def ids(self, layer):
        """The ids of the objects of `layer` (road_link or road_links, building(s), ...), in state order."""
        return self._native.ids(state_layer(layer))

    def columns(self, layer):
        """The state columns of `layer` that exist now."""
        return self._native.columns(state_layer(layer))

    def get(self, layer, column):
        """The column's current values as a float64 numpy array aligned with ids(layer) (a copy)."""
        return self._native.get(state_layer(layer), column)

    def set(self, layer, column, ids, values):
        """Set `column` of the objects `ids` to `values` (one each, or one for all). It takes effect at the
        current boundary: the steps starting now read it, as with a set_attribute intervention whose `at`
        is the current time."""
        if isinstance(ids, str):
            ids = [ids]
        ids = list(ids)
        values = np.broadcast_to(np.asarray(values, dtype=float), (len(ids),))
        self._native.set(state_layer(layer), column, ids, values.tolist())

    def kpis(self):
        """The models' KPIs now, as {"<model>.<kpi>": value}."""
        return dict(self._native.kpis())

    def fork(self):
        """An independent copy made in memory: advanced the same way, it gives bit-identical results.
        Callbacks are not copied."""
        return Simulation(None, _native=self._native.fork())

    def on_step(self, callback):
        """Call callback(t) at every coupling boundary passed by advance/advance_to; returns callback."""
        self._callbacks.append(callback)
        return callback

    def __repr__(self):
        return f"citytwin.Simulation(variant={self.variant!r}, time={self.time})"
