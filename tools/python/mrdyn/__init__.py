"""mrdyn from Python: open mrdyn's files as xarray Datasets and pandas DataFrames,
and run the mrdyn executable.

    import mrdyn
    ds = mrdyn.open("run.h5")                    # xarray.Dataset with named dimensions
    ds.currents.sel(target=0, source=1).plot()
    df = mrdyn.open_sweep("fig5")                # the sweep summary as a DataFrame
    ds = mrdyn.run("simulate", model="m.h5", t_final=20, seed=3, ranks=2)

See docs/python.md.
"""
from ._files import MrdynFileError, decode_attrs, file_kind, open  # noqa: A004
from ._run import MrdynError, find_executable, options_to_args, run
from ._sweep import open_member, open_sweep

try:
    from ._install import VERSION as __version__
except ImportError:
    __version__ = "0.1.0"

__all__ = ["open", "open_sweep", "open_member", "run", "find_executable", "options_to_args",
           "file_kind", "decode_attrs", "MrdynError", "MrdynFileError", "__version__"]
