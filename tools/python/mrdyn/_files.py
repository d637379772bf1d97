"""mrdyn.open: any mrdyn HDF5 file as an xarray.Dataset."""
import os
import threading

import h5py
import numpy as np
import xarray as xr
from xarray.backends import BackendArray
from xarray.core import indexing

from . import _schema

# datasets larger than this are read when indexed, not when the file is opened
LAZY_BYTES = 64 << 20


class MrdynFileError(ValueError):
    """A file that is not an mrdyn file, or not a complete one."""


# ---------------------------------------------------------------- attributes

def decode_value(v):
    """HDF5 attribute value -> Python: bytes -> str, NumPy scalars -> int / float / bool,
    arrays of strings -> lists of str, numeric arrays stay arrays."""
    if isinstance(v, (bytes, np.bytes_)):
        return v.decode("utf-8", errors="replace")
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "SO":
            out = [decode_value(x) for x in v.ravel()]
            return out[0] if v.ndim == 0 else out
        if v.ndim == 0:
            return decode_value(v[()])
        return v
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def _integral(v):
    a = np.asarray(v)
    return a.dtype.kind == "f" and a.size > 0 and np.all(np.isfinite(a)) and np.all(a == np.round(a))


def decode_attrs(attrs):
    """A dict of decoded attributes; integers stored as floats (N, done, t0_step, ...)
    become integers and numeric flags (settled_early, ...) booleans."""
    out = {}
    for k, v in attrs.items():
        v = decode_value(v)
        if k in _schema.INTEGER_ATTRS and _integral(v):
            v = int(v) if np.ndim(v) == 0 else np.asarray(v).astype(np.int64)
        elif k in _schema.BOOL_ATTRS and np.ndim(v) == 0 and isinstance(v, (int, float)) and v in (0, 1):
            v = bool(v)
        out[k] = v
    return out


# ---------------------------------------------------------------- lazy data

class _LazyH5(BackendArray):
    """A dataset read on indexing (the file is opened for each read, so nothing stays open)."""

    _lock = threading.Lock()

    def __init__(self, path, name, shape, dtype):
        self.path, self.name, self.shape, self.dtype = path, name, shape, np.dtype(dtype)

    def __getitem__(self, key):
        return indexing.explicit_indexing_adapter(key, self.shape, indexing.IndexingSupport.BASIC, self._raw)

    def _raw(self, key):
        with self._lock, h5py.File(self.path, "r") as f:
            return np.asarray(f[self.name][key])


# ---------------------------------------------------------------- kinds

def file_kind(f):
    """simulate, dmft, spectrum, dimension, lyapunov, polytope, checkpoint, member,
    summary, model or unknown."""
    a = f.attrs
    verb = decode_value(a.get("verb", b""))
    if "members" in f and isinstance(f["members"], h5py.Dataset) and f["members"].dtype.names:
        return "summary"
    if "checkpoint" in str(decode_value(a.get("kind", ""))):
        return "checkpoint"
    if "member" in a and "sweep" in a:
        return "member"
    if verb in ("simulate", "dmft", "spectrum", "dimension", "lyapunov", "polytope"):
        return verb
    if "N" in f and "g" in f and isinstance(f["N"], h5py.Dataset):
        return "model"
    return "unknown"


class _Context:
    """Sizes and maps the dimensions of one file depend on."""

    def __init__(self, f, kind):
        self.kind = kind
        a = f.attrs
        self.mode = decode_value(a.get("mode", ""))
        self.target = self.source = None
        if "channel/target" in f and "channel/source" in f:
            self.target = np.asarray(f["channel/target"][:]).astype(np.int64)
            self.source = np.asarray(f["channel/source"][:]).astype(np.int64)
        R = a.get("R")
        if R is None:
            for name in ("N", "g", "model/N"):
                if name in f and isinstance(f[name], h5py.Dataset) and f[name].ndim == 1:
                    R = f[name].shape[0]
                    break
        if R is None and self.target is not None and self.target.size:
            R = int(max(self.target.max(), self.source.max())) + 1
        self.R = int(R) if R is not None else None
        self.C = len(self.target) if self.target is not None else None
        self.dense = False
        if self.R is not None and self.target is not None and self.C == self.R * self.R:
            c = np.arange(self.C)
            self.dense = bool(np.all(self.target == c // self.R) and np.all(self.source == c % self.R))
        if kind == "model" and "T" in f and isinstance(f["T"], h5py.Dataset) and self.R:
            self.dense, self.C = True, self.R * self.R
        self.dt = decode_value(a.get("dt")) if "dt" in a else None
        N = a.get("N")
        if N is None and "N" in f and isinstance(f["N"], h5py.Dataset):
            N = f["N"][:]
        self.N = np.asarray(N).astype(np.int64).ravel() if N is not None else None
        # a sweep member's datasets are those of its verb
        self.meanfield = kind == "dmft" or (kind == "member" and decode_value(a.get("verb", "")) == "dmft")


def _resolve(alts, shape, ctx):
    """The dimension names of a dataset of this shape, and the shape to give its data
    (the dense channel axis splits into target, source); None if no alternative fits."""
    for dims in alts:
        dims = list(dims)
        if "trial?" in dims:
            if len(shape) == len(dims):
                dims = [d if d != "trial?" else "trial" for d in dims]
            else:
                dims.remove("trial?")
        if len(dims) != len(shape):
            continue
        names, newshape = [], []
        for d, n in zip(dims, shape):
            if d == "C":
                if ctx.dense and n == ctx.C:
                    names += ["target", "source"]
                    newshape += [ctx.R, ctx.R]
                    continue
                d = "channel"
            names.append(d)
            newshape.append(n)
        return names, tuple(newshape)
    return None


def _flat(path):
    return path.replace("/", "_")


# ---------------------------------------------------------------- builder (h5py)

def _read(path, name, ds, reshape_to, lazy_bytes):
    """The dataset's values (strings decoded, integral floats of known integer
    datasets cast), or a lazy array for large ones."""
    if ds.dtype.kind in "SO" or (h5py.check_string_dtype(ds.dtype) is not None):
        data = ds.asstr()[()] if ds.shape != () else ds.asstr()[()]
        return np.asarray(data, dtype=str).reshape(reshape_to)
    if ds.size * ds.dtype.itemsize > lazy_bytes and tuple(reshape_to) == ds.shape and ds.dtype.kind in "biuf":
        return indexing.LazilyIndexedArray(_LazyH5(path, name, ds.shape, ds.dtype))
    data = ds[()]
    if name in _schema.INTEGER_DATASETS and _integral(data):
        data = data.astype(np.int64)
    return np.asarray(data).reshape(reshape_to)


def _compound_table(ds, dim):
    """A compound dataset (the sweep summary's /members, /grid) as columns over dim."""
    arr = ds[()]
    cols = {}
    for name in arr.dtype.names:
        col = arr[name]
        if col.dtype.kind == "S":
            col = np.char.decode(col, "utf-8", errors="replace").astype(str)
        cols[name] = (dim, np.asarray(col))
    return cols


def _build(path, lazy_bytes):
    with h5py.File(path, "r") as f:
        kind = file_kind(f)
        root_attrs = decode_attrs(f.attrs)
        if kind == "summary":
            from ._sweep import int_params, rename_params  # the YAML names of the parameter columns
            text = root_attrs.get("sweep_yaml", "")
            data_vars = _compound_table(f["members"], "member")
            mapping = rename_params(list(data_vars), text)
            data_vars = {mapping.get(k, k): v for k, v in data_vars.items()}
            for k in int_params(text):
                if k in data_vars and _integral(data_vars[k][1]):
                    data_vars[k] = (data_vars[k][0], data_vars[k][1].astype(np.int64))
            coords = {"member": ("member", data_vars.pop("member")[1])}
            if "grid" in f:
                g = _compound_table(f["grid"], "grid_point")
                gmap = rename_params(list(g), text)
                ints = int_params(text)
                for k, v in g.items():
                    k = gmap.get(k, k)
                    if k in ints and _integral(v[1]):
                        v = (v[0], v[1].astype(np.int64))
                    data_vars["grid_" + k] = v
                root_attrs.update({"grid_" + k: v for k, v in decode_attrs(f["grid"].attrs).items()})
            ds = xr.Dataset(data_vars, coords=coords, attrs=root_attrs)
            ds.attrs["mrdyn_kind"] = kind
            ds.attrs["mrdyn_engine"] = "h5py"
            return ds

        ctx = _Context(f, kind)
        items = []
        f.visititems(lambda name, obj: items.append((name, obj)))
        data_vars, coord_data, group_attrs = {}, {}, {}
        sizes = {}

        for name, obj in items:
            if isinstance(obj, h5py.Group):
                if len(obj.attrs):
                    group_attrs[name] = decode_attrs(obj.attrs)
                continue
            if obj.dtype.names:  # a compound table in another file: columns over its own dimension
                for k, v in _compound_table(obj, _flat(name) + "_row").items():
                    data_vars[_flat(name) + "_" + k] = v
                continue
            hit = _schema.lookup(kind, name, ctx.mode, ctx.meanfield)
            res = _resolve(hit[0], obj.shape, ctx) if hit else None
            attrs = dict(hit[1]) if hit else {}
            if res is None:
                res = (["%s_dim%d" % (_flat(name), i) for i in range(obj.ndim)], obj.shape)
            dims, shape = res
            # a dimension name used with another size elsewhere gets the variable's name
            dims = [d if sizes.setdefault(d, n) == n else "%s_%s" % (d, _flat(name)) for d, n in zip(dims, shape)]
            for d, n in zip(dims, shape):
                sizes.setdefault(d, n)
            values = _read(path, name, obj, shape, lazy_bytes)
            parent = name.rsplit("/", 1)[0] if "/" in name else None
            coord_dim = _schema.COORD_SOURCES.get(name)
            if coord_dim and len(dims) == 1 and dims[0] == coord_dim:
                coord_data[coord_dim] = (values, attrs)
                continue
            data_vars[_flat(name)] = (dims, values, attrs, parent)

        # group attributes go on the group's variables; a group without variables
        # (a member's /params) gives root attributes <group>_<name>
        for g, ga in group_attrs.items():
            owned = [k for k, v in data_vars.items() if v[3] == g]
            for k in owned:
                data_vars[k][2].update(ga)
            if not owned:
                for k, v in ga.items():
                    root_attrs["%s_%s" % (_flat(g), k)] = _param_value(v) if g == "params" else v

        variables = {k: xr.Variable(v[0], v[1], v[2]) for k, v in data_vars.items()}
        coords = _coordinates(f, ctx, sizes, coord_data, variables)
        # index arrays that became coordinates are not variables any more
        for k in ("traces_index", "pairs"):
            variables.pop(k, None)
        for k in ("channel_target", "channel_source"):
            if k in coords:
                variables.pop(k, None)

    ds = xr.Dataset(variables, coords=coords, attrs=root_attrs)
    ds.attrs["mrdyn_kind"] = kind
    ds.attrs["mrdyn_engine"] = "h5py"
    return ds


def _curve_step(f, ctx):
    """The time step of /classification/curve: the solver's dt (t0 / t0_step, which
    sweep members record though they lack the dt attribute)."""
    if "classification" in f:
        ga = f["classification"].attrs
        t0, k = ga.get("t0"), ga.get("t0_step")
        if t0 is not None and k is not None and float(k) > 0:
            return float(t0) / float(k)
    return ctx.dt


def _param_value(v):
    """A sweep member's /params value (a string): int, float or the string."""
    if not isinstance(v, str):
        return v
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


def _coordinates(f, ctx, sizes, coord_data, variables):
    coords = {}
    for d, n in sizes.items():
        a = dict(_schema.COORD_ATTRS.get(d, {}))
        if d in coord_data and len(np.asarray(coord_data[d][0])) == n:
            v, attrs = coord_data[d]
            coords[d] = xr.Variable((d,), np.asarray(v), dict(a, **attrs))
        elif d in ("region", "target", "source", "middle", "source2", "trial", "channel") or d.startswith("neuron_region"):
            coords[d] = xr.Variable((d,), np.arange(n), a)
        elif d == "part" and n == 2:
            coords[d] = xr.Variable((d,), np.array(["real", "imag"]), a)
        elif d == "classification_lag" and _curve_step(f, ctx):
            coords[d] = xr.Variable((d,), _curve_step(f, ctx) * np.arange(n), a)
        elif d in ("t1", "t2") and ctx.dt:
            coords[d] = xr.Variable((d,), ctx.dt * np.arange(n), a)
        elif d == "window_field" and n == 3:
            coords[d] = xr.Variable((d,), np.array(["t_start", "t_end", "samples"]))
    # coordinates that were datasets but whose dimension nothing else uses
    for d, (v, attrs) in coord_data.items():
        if d not in coords:
            coords[d] = xr.Variable((d,), np.asarray(v), dict(_schema.COORD_ATTRS.get(d, {}), **attrs))
    if "channel" in sizes and ctx.target is not None and len(ctx.target) == sizes["channel"]:
        coords["channel_target"] = xr.Variable(("channel",), ctx.target, dict(long_name="target region of the channel"))
        coords["channel_source"] = xr.Variable(("channel",), ctx.source, dict(long_name="source region of the channel"))
    if "trace" in sizes and "traces/index" in f and f["traces/index"].shape == (sizes["trace"], 2):
        idx = f["traces/index"][:].astype(np.int64)
        coords["trace_region"] = xr.Variable(("trace",), idx[:, 0], dict(long_name="region of the sampled neuron"))
        coords["trace_neuron"] = xr.Variable(("trace",), idx[:, 1], dict(long_name="index of the sampled neuron in its region"))
    if "pair" in sizes and "pairs" in f and f["pairs"].shape == (sizes["pair"], 2):
        p = f["pairs"][:].astype(np.int64)
        coords["pair_i"] = xr.Variable(("pair",), p[:, 0], dict(long_name="region i of pair p = {i, j}, i < j"))
        coords["pair_j"] = xr.Variable(("pair",), p[:, 1], dict(long_name="region j of pair p = {i, j}"))
    if "neuron" in sizes and ctx.N is not None and ctx.N.sum() == sizes["neuron"]:
        coords["neuron_region"] = xr.Variable(("neuron",), np.repeat(np.arange(len(ctx.N)), ctx.N), dict(long_name="region of the neuron"))
    # a dimension with other coordinates along it gets its index too
    for d in ("trace", "pair", "neuron"):
        if d in sizes and d not in coords:
            coords[d] = xr.Variable((d,), np.arange(sizes[d]))
    return coords


# ---------------------------------------------------------------- netCDF-style files

def _open_netcdf(path):
    """Every group through xarray's h5netcdf engine, merged with flat names
    (group/name -> group_name); None unless every dataset has dimension scales."""
    try:
        import h5netcdf  # noqa: F401
    except ImportError:
        return None
    with h5py.File(path, "r") as f:
        if file_kind(f) == "summary":
            return None
        groups = [""]
        f.visititems(lambda name, obj: groups.append(name) if isinstance(obj, h5py.Group) else None)
        kind = file_kind(f)
        ctx = _Context(f, kind)
    parts = []
    for g in groups:
        try:
            d = xr.open_dataset(path, engine="h5netcdf", group=g or None, decode_times=False).load()
        except Exception:  # no dimension scales, or a type h5netcdf cannot read
            return None
        d.close()
        prefix = _flat(g) + "_" if g else ""
        d = d.rename({k: prefix + k for k in d.data_vars})
        for k in d.data_vars:
            hit = _schema.lookup(kind, (g + "/" if g else "") + k[len(prefix):], ctx.mode, ctx.meanfield)
            if hit:
                for a, v in hit[1].items():
                    d[k].attrs.setdefault(a, v)
            d[k].attrs = decode_attrs(d[k].attrs)
        if g:
            ga = decode_attrs(d.attrs)
            for k in d.data_vars:
                d[k].attrs.update(ga)
            d.attrs = {} if d.data_vars else {"%s_%s" % (_flat(g), k): v for k, v in ga.items()}
        parts.append(d)
    ds = _split_dense(xr.merge(parts, combine_attrs="no_conflicts"))
    ds.attrs = decode_attrs(ds.attrs)
    for c in ds.coords:
        ds[c].attrs = decode_attrs(ds[c].attrs)
    ds.attrs["mrdyn_kind"] = kind
    ds.attrs["mrdyn_engine"] = "h5netcdf"
    return ds


def _split_dense(ds):
    """Variables along a dense channel axis (c = target * R + source) get the axes
    (target, source), as the h5py reader gives them."""
    if "channel_target" not in ds or "channel_source" not in ds or ds["channel_target"].dims != ("channel",):
        return ds
    ds = ds.set_coords(["channel_target", "channel_source"])
    t, s = ds["channel_target"].values.astype(np.int64), ds["channel_source"].values.astype(np.int64)
    R = int(round(np.sqrt(len(t))))
    c = np.arange(len(t))
    if R * R != len(t) or not (np.all(t == c // R) and np.all(s == c % R)):
        return ds
    out = {}
    for k, v in ds.data_vars.items():
        if "channel" in v.dims:
            i = v.dims.index("channel")
            dims = v.dims[:i] + ("target", "source") + v.dims[i + 1:]
            vals = np.asarray(v.values).reshape(v.shape[:i] + (R, R) + v.shape[i + 1:])
            out[k] = xr.Variable(dims, vals, v.attrs)
    if not out:
        return ds
    ds = ds.drop_vars(list(out)).assign(out)
    for d in ("target", "source"):
        if d not in ds.coords:
            ds = ds.assign_coords({d: xr.Variable((d,), np.arange(R), _schema.COORD_ATTRS[d])})
    return ds


# ---------------------------------------------------------------- the entry point

def open(path, engine="auto", load=False, complete=True):  # noqa: A001 (mrdyn.open, like xarray.open_dataset)
    """Opens any mrdyn file (run, mean-field, checkpoint, sweep member or summary,
    spectrum, dimension, lyapunov, polytope, model) as an xarray.Dataset.

    Dimensions are named (time, trial, target, source, region, lag, ...) with
    coordinates; dense currents are (time, [trial,] target, source); attributes are
    decoded (bytes -> str, integer sizes -> int); variables carry long_name and units
    from docs/file-formats.md. Datasets of groups are named group_name
    (stationary/S -> stationary_S). The root attribute mrdyn_kind says what the file is.

    engine: "auto" uses xarray's h5netcdf engine when every dataset of the file has
    HDF5 dimension scales, and otherwise reads the file with h5py; "h5netcdf" or
    "h5py" force one. load: read large datasets now (otherwise those over
    mrdyn._files.LAZY_BYTES are read when indexed). complete: refuse a file that
    mrdyn has not finished (no status = "complete") where the kind records one.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise MrdynFileError("%s is a directory: for a sweep use mrdyn.open_sweep(%r)" % (path, path))
    if not os.path.exists(path):
        raise FileNotFoundError("%s: no such file%s" % (path, " (mrdyn is still writing %s.partial)" % path if os.path.exists(path + ".partial") else ""))
    if not h5py.is_hdf5(path):
        raise MrdynFileError("%s is not an HDF5 file" % path)
    with h5py.File(path, "r") as f:
        kind = file_kind(f)
        status = decode_value(f.attrs.get("status", ""))
    if complete and kind not in ("model", "unknown") and status != "complete":
        raise MrdynFileError("%s is not complete (status %r): mrdyn did not finish writing it; complete=False opens it anyway" % (path, status))
    ds = None
    if engine in ("auto", "h5netcdf"):
        ds = _open_netcdf(path)
        if ds is None and engine == "h5netcdf":
            raise MrdynFileError("%s: xarray's h5netcdf engine cannot open it (no HDF5 dimension scales)" % path)
    if ds is None:
        ds = _build(path, float("inf") if load else LAZY_BYTES)
    ds.encoding["source"] = os.path.abspath(path)
    if load:
        ds.load()
    return ds

