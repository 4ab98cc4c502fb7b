"""citytwin.run and citytwin.Run: a scenario's branches run to their end, and the folder they wrote."""

import os
import tempfile
import time

import pandas as pd

from . import _citytwin
from ._errors import Error


class Run:
    """A finished run: run.sqlite and one folder per variant (layout in scenarios/README.md, "Outputs").

    Returned by citytwin.run(); Run.open(folder) reads one written earlier (by Python or `citytwin run`).
    """

    def __init__(self, out, owned_folder=None):
        self._out = os.fspath(out)
        self._owned_folder = owned_folder  # the temporary folder of a run without `out`, kept alive here
        self._record = _citytwin.read_run(self._out)

    @classmethod
    def open(cls, out_dir):
        """Read the latest run recorded in the folder `out_dir`."""
        return cls(out_dir)

    @property
    def out(self):
        """The run folder."""
        return self._out

    @property
    def variants(self):
        """Variant names in run order: "base", then the variants (each once, also in an ensemble)."""
        names = []
        for variant in self._record["variants"]:
            if variant["name"] not in names:
                names.append(variant["name"])
        return names

    @property
    def is_ensemble(self):
        """True when the scenario had an [ensemble] table: kpis() then has one row per member."""
        return any(variant["member"] is not None for variant in self._record["variants"])

    @property
    def status(self):
        """completed, interrupted or failed (the run database's status)."""
        return self._record["status"]

    def kpis(self):
        """Final KPIs as a pandas.DataFrame: index the variant names, columns "<model>.<kpi>", floats.

        For an ensemble the index is (variant, member), one row per member; the distributions are
        frame.groupby(level="variant").describe(percentiles=[.05, .5, .95]) away."""
        records = self._record["variants"]
        if self.is_ensemble:
            index = pd.MultiIndex.from_tuples([(v["name"], v["member"]) for v in records], names=["variant", "member"])
        else:
            index = pd.Index([v["name"] for v in records], name="variant")
        frame = pd.DataFrame([v["kpis"] for v in records], index=index, dtype=float)
        return frame[sorted(frame.columns)]

    def _variant_folder(self, variant):
        if variant not in self.variants:
            raise Error(f"{self._out}: the run has no variant '{variant}' (it has {', '.join(self.variants)})")
        return os.path.join(self._out, variant)

    def raster(self, variant, name):
        """A result raster such as "flood/max_depth_m": (2-D array, geotransform, crs), no-data as NaN."""
        path = os.path.join(self._variant_folder(variant), name if name.endswith(".tif") else name + ".tif")
        if not os.path.exists(path):
            raise Error(f"{path}: no such raster in variant '{variant}'")
        return _citytwin.read_raster(path)

    def table(self, variant, name):
        """A result table such as "traffic/trips", "traffic/link_series" or "state/road_link" as a
        pandas.DataFrame (the CSV files of the variant's folder)."""
        path = os.path.join(self._variant_folder(variant), name if name.endswith(".csv") else name + ".csv")
        if not os.path.exists(path):
            raise Error(f"{path}: no such table in variant '{variant}'")
        return pd.read_csv(path)

    def __repr__(self):
        return f"citytwin.Run({self._out!r}, variants={self.variants!r})"


def _run_one_branch(scenario, index, threads):
    """On a dask worker: one branch run into a scratch folder; returns its record and its files."""
    with tempfile.TemporaryDirectory(prefix="citytwin-branch-") as folder:
        record = _citytwin.run_branch(scenario._native, index, folder, threads or 0)
        files = {}
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as handle:
                    files[os.path.relpath(path, folder)] = handle.read()
        record["files"] = files
    return record


def run(scenario, threads=None, out=None, client=None):
    """Run the scenario's base and variants to their end and return the Run.

    threads: worker threads (None: all cores); results do not depend on it. out: the run folder (None: a
    temporary folder kept as long as the Run). client: a dask.distributed Client: each branch then runs on
    a worker, and the results are gathered into `out` as the same Run a local run gives (bit-identical
    KPIs). The GIL is released while the models compute.
    """
    owned = None
    if out is None:
        owned = tempfile.TemporaryDirectory(prefix="citytwin-run-")
        out = owned.name
    out = os.fspath(out)
    if threads is not None and int(threads) <= 0:
        raise Error("threads must be None (all cores) or a positive number")
    if client is None:
        _citytwin.run_scenario(scenario._native, out, int(threads or 0))
        return Run(out, owned)

    started = time.monotonic()
    futures = [client.submit(_run_one_branch, scenario, index, threads, pure=False)
               for index in range(len(scenario.branches))]
    records = client.gather(futures)
    for record in records:
        folder = os.path.join(out, record["name"])
        for relative, content in record.pop("files").items():
            path = os.path.join(folder, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(content)
    _citytwin.record_run(scenario._native, out, records, int(threads or 0), time.monotonic() - started)
    return Run(out, owned)
