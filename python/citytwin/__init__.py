"""citytwin: scripted what-if studies on a city digital twin.

Load a city (City), build or read scenarios (Scenario), run them in parallel (run -> Run: KPIs as a
pandas table, rasters as numpy arrays, result tables as DataFrames), or step one branch and change it as
it runs (Simulation: get/set state columns, fork in memory, on_step callbacks). python/README.md shows how.
"""

from ._citytwin import __version__
from ._errors import Error, InputError
from .city import City
from .run import Run, run
from .scenario import Scenario
from .simulation import Simulation

__all__ = ["City", "Error", "InputError", "Run", "Scenario", "Simulation", "run", "__version__"]
