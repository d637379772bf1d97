"""mrdyn.open_sweep: the summary of `mrdyn sweep` as a pandas DataFrame."""
import glob
import os

import h5py
import numpy as np
import pandas as pd

from ._files import MrdynFileError, decode_attrs, open as _open



def _yaml(text):
    try:
        import yaml
    except ImportError:  # without PyYAML the columns keep mrdyn's names
        return None
    try:
        return yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        return None


def _varied(spec):
    """{YAML key: value spec} of the vary: and zip: sections."""
    out = {}
    if isinstance(spec, dict):
        for sec in ("vary", "zip"):
            if isinstance(spec.get(sec), dict):
                out.update(spec[sec])
    return out


def _values(v):
    """The values a YAML value spec stands for (as Python values), or None."""
    if isinstance(v, dict) and len(v) == 1:
        (how, args), = v.items()
        if how == "range" and isinstance(args, list) and len(args) in (2, 3):
            a, b = args[0], args[1]
            step = args[2] if len(args) == 3 else 1
            if all(isinstance(x, int) and not isinstance(x, bool) for x in (a, b, step)):
                return list(range(a, b, step))
            return [float(x) for x in np.arange(a, b, step)]
        if how in ("linspace", "logspace"):
            return [0.5]  # floats
        return None
    if isinstance(v, list):
        return v
    return [v]


# options of `mrdyn model` generators (src/sweep/spec.c): a varied key without
# run. / model. goes to the generator when it is one of these and the model is generated
GENERATOR_OPTIONS = ("R", "N", "g", "tau", "description", "a", "b", "u", "hdiag", "V", "w_re", "w_im", "tol", "rho", "seed",
                     "max_tries", "degree", "rank", "sigma2", "rescale", "clusters", "p_out", "box", "box_prefilter", "model",
                     "file", "T", "U", "set")


def _strip(key):
    return key[6:] if key.startswith("model.") else key[4:] if key.startswith("run.") else key


def _is_model_param(key, spec):
    if key.startswith("model."):
        return True
    if key.startswith("run."):
        return False
    return isinstance(spec, dict) and isinstance(spec.get("model"), dict) and key in GENERATOR_OPTIONS


def _column_of(key, spec):
    """mrdyn's summary column for the YAML key of a varied parameter: the name
    without run. / model., and model_seed for the generator's seed."""
    name = _strip(key)
    return "model_seed" if name == "seed" and _is_model_param(key, spec) else name


def rename_params(columns, yaml_text):
    """{mrdyn's column: the YAML key} for the varied parameters found in columns."""
    spec = _yaml(yaml_text)
    mapping = {}
    for key in _varied(spec):
        col = _column_of(key, spec)
        if col in columns and col != key:
            mapping[col] = key
    return mapping


def sweep_axes(spec):
    """The crossed axes of a sweep as lists of YAML keys: one per key of vary:, and
    the keys of zip: together as one more axis."""
    axes = []
    if isinstance(spec, dict):
        if isinstance(spec.get("vary"), dict):
            axes += [[k] for k in spec["vary"]]
        if isinstance(spec.get("zip"), dict) and spec["zip"]:
            axes.append(list(spec["zip"]))
    return axes


def pooled_keys(spec):
    """The YAML keys pooled into one grid point (aggregate:, by default every
    parameter called seed; a pooled key pools its whole axis), as mrdyn pools them."""
    axes = sweep_axes(spec)
    agg = spec.get("aggregate") if isinstance(spec, dict) else None
    if agg is None:
        entries = None
    else:
        entries = [agg] if isinstance(agg, str) else list(agg)
    pooled = []
    for axis in axes:
        hit = False
        for k in axis:
            if entries is None:
                hit |= _strip(k) == "seed"
            else:
                for a in entries:
                    a = str(a)
                    hit |= _strip(a) == _strip(k) and (a == _strip(a) or a.startswith("model.") == _is_model_param(k, spec))
        if hit:
            pooled += axis
    return pooled


def int_params(yaml_text):
    """The YAML keys whose every value is an integer."""
    out = set()
    for key, spec in _varied(_yaml(yaml_text)).items():
        vals = _values(spec)
        if vals and all(isinstance(x, int) and not isinstance(x, bool) for x in vals):
            out.add(key)
    return out


def _summary_files(path):
    if os.path.isfile(path):
        return os.path.dirname(os.path.abspath(path)), [path]
    if not os.path.isdir(path):
        raise FileNotFoundError("%s: no such sweep directory or summary file" % path)
    s = os.path.join(path, "summary.h5")
    if os.path.exists(s):
        return os.path.abspath(path), [s]
    slices = sorted(glob.glob(os.path.join(path, "summary-*-of-*.h5")))
    if slices:
        return os.path.abspath(path), slices
    raise FileNotFoundError("%s has no summary.h5 (nor slices summary-i-of-n.h5): run `mrdyn sweep SWEEP.yaml -merge` to write it" % path)


def _table(path, name):
    with h5py.File(path, "r") as f:
        if name not in f:
            return None, decode_attrs(f.attrs)
        arr = f[name][()]
        attrs = decode_attrs(f.attrs)
        attrs.update({"%s_%s" % (name, k): v for k, v in decode_attrs(f[name].attrs).items()})
    df = pd.DataFrame(arr)
    for c in df.columns:
        if df[c].dtype == object and len(df) and isinstance(df[c].iloc[0], bytes):
            df[c] = df[c].str.decode("utf-8", errors="replace")
    return df, attrs


def open_sweep(path, table="members"):
    """The summary of a sweep as a pandas DataFrame, one row per member.

    path: the sweep's output directory (its summary.h5, or the slices
    summary-i-of-n.h5 of a job array, concatenated), or a summary file.
    table: "members" (one row per member) or "grid" (the /grid table of labels
    per grid point, with dmft -classify).

    Varied parameters have their YAML names (`seed`, `run.seed`, `model.w_re`
    as written under vary: / zip:), integers where every value in the YAML is one.
    Strings are str. The members table has a column `path`: the member file
    (None where there is none, e.g. members in record journals or not done);
    mrdyn.open_member(df, k) or mrdyn.open(df.path[i]) opens one. The summary's
    root attributes are in df.attrs, with `sweep_dir`, `parameters` (the varied
    YAML keys), `axes` (the crossed axes: a key of vary: each, the keys of zip:
    together) and `pooled` (the keys pooled into one grid point of /grid).
    """
    if table not in ("members", "grid"):
        raise ValueError("table must be 'members' or 'grid', not %r" % (table,))
    sweep_dir, files = _summary_files(os.fspath(path))
    frames, attrs = [], {}
    for s in files:
        df, a = _table(s, table)
        if not attrs:
            attrs = a
        if df is None:
            if table == "grid":
                raise MrdynFileError("%s has no /grid table (it is written with dmft -classify labels)" % s)
            raise MrdynFileError("%s is not a sweep summary (no /members table)" % s)
        frames.append(df)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if table == "members" and len(frames) > 1:
        df = df.sort_values("member", kind="stable").reset_index(drop=True)
    text = attrs.get("sweep_yaml", "")
    df = df.rename(columns=rename_params(list(df.columns), text))
    for key in int_params(text):
        if key in df.columns and df[key].dtype.kind == "f" and np.all(np.isfinite(df[key])):
            df[key] = df[key].astype(np.int64)
    if table == "members":
        df["path"] = [os.path.join(sweep_dir, f) if isinstance(f, str) and f and os.path.exists(os.path.join(sweep_dir, f)) else None
                      for f in df["file"]]
    attrs["sweep_dir"] = sweep_dir
    attrs["summary_files"] = files
    spec = _yaml(text)
    attrs["parameters"] = list(_varied(spec))
    attrs["axes"] = sweep_axes(spec)
    attrs["pooled"] = pooled_keys(spec)
    df.attrs = attrs
    return df


def open_member(df, member=None, **kw):
    """Opens one member's file with mrdyn.open: open_member(row) for a row of
    open_sweep's table (df.iloc[i]), or open_member(df, k) for member k."""
    if isinstance(df, pd.Series):
        row = df
    else:
        if member is None:
            raise TypeError("open_member(df, member): which member?")
        rows = df[df["member"] == member]
        if not len(rows):
            raise KeyError("no member %r in this sweep (members %s .. %s)" % (member, df["member"].min(), df["member"].max()))
        row = rows.iloc[0]
    p = row.get("path")
    if not isinstance(p, str):
        raise MrdynFileError("member %s has no file (status %s; members of record journals have none)" % (row.get("member"), row.get("status")))
    return _open(p, **kw)
