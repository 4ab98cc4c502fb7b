"""citytwin.City: a city file (GeoPackage) with its layers as pandas tables and its terrain as numpy."""

import json
import os
import tempfile

import numpy as np
import pandas as pd

from . import _citytwin
from ._layers import FILE_TO_STATE


class City:
    """A city: roads, buildings, grid, sensors and terrain in one projected CRS.

    Open a city file with City.open(path) or make the sample town with City.generate(...). The loaded
    city is shared by every run and simulation of the process that uses the same file.
    """

    LAYERS = tuple(FILE_TO_STATE)

    def __init__(self, native, owned_folder=None):
        self._native = native
        self._owned_folder = owned_folder  # a temporary folder holding a generated city, kept alive here

    @classmethod
    def open(cls, path):
        """Load the city file `path` (a GeoPackage written by `citytwin city generate/import`)."""
        return cls(_citytwin.City.open(os.fspath(path)))

    @classmethod
    def generate(cls, size_km=2, seed=1, path=None, dem_cell_m=10.0):
        """Generate the sample town (deterministic in size_km and seed) and save it to `path`.

        Without a path the city is saved in a temporary folder that lives as long as this object.
        """
        owned = None
        if path is None:
            owned = tempfile.TemporaryDirectory(prefix="citytwin-city-")
            path = os.path.join(owned.name, "city.gpkg")
        native = _citytwin.City.generate(float(size_km), int(seed), float(dem_cell_m), os.fspath(path))
        return cls(native, owned)

    @property
    def path(self):
        """The city file's path."""
        return self._native.path

    def info(self):
        """Counts, CRS, extent and DEM size: the same dict as `citytwin city info --json`."""
        return json.loads(self._native.info_json())

    def layer(self, name):
        """One layer as a pandas.DataFrame: one row per object, its `id`, attributes and `geometry` (WKT).

        name: buildings, road_links, road_nodes, sensors, grid_substations or grid_feeders.
        """
        if name not in FILE_TO_STATE:
            from ._errors import InputError

            raise InputError(
                f"<input>: key 'layer': unknown layer '{name}'; expected one of {', '.join(FILE_TO_STATE)}",
                key="layer",
                problem=f"unknown layer '{name}'",
            )
        table = self._native.layer_columns(name)
        data = {}
        for column, kind, values, nulls in table["columns"]:
            nulls = np.asarray(nulls, dtype=bool)
            if kind == "integer":
                series = pd.array(values, dtype="Int64")
                series[nulls] = pd.NA
                data[column] = series
            elif kind == "real":
                data[column] = np.where(nulls, np.nan, values)
            else:
                data[column] = [None if n else v for v, n in zip(values, nulls)]
        data["geometry"] = table["geometry"]
        frame = pd.DataFrame(data)
        if "id" in frame.columns:
            frame = frame[["id"] + [c for c in frame.columns if c != "id"]]
        return frame

    def dem(self):
        """The terrain: (2-D float32 array of elevations in m, rows north to south; GDAL geotransform
        (x0, cell, 0, y0, 0, -cell); CRS as "EPSG:<code>"). No-data cells are NaN."""
        return self._native.dem()

    def __repr__(self):
        return f"citytwin.City({self.path!r})"
