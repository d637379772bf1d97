"""What every dataset of an mrdyn file means: its dimension names, units and long_name.

The names follow docs/file-formats.md (and docs/usage.md, docs/sweep.md for the
datasets described there). A dimension token in a table below is either a
dimension name, or one of
  "C"       the channel axis: ("target", "source") when the file's channel map is
            the dense one (c = target * R + source), else "channel";
  "trial?"  the trial axis of `simulate -trials K` output: present only when the
            dataset has one more axis than without it.
A table entry is a list of alternatives; the first one whose length fits the
dataset's rank is used. Datasets in no table get dimensions named
<variable>_dim<i>, so a newer file still opens.
"""
import re

TAU = "tau"  # time in units of the time constant tau
PER_TAU = "1/tau"


def _e(dims, long_name=None, units=None, **extra):
    """One table entry: alternatives of dims and the attributes."""
    alts = dims if isinstance(dims, list) else [dims]
    attrs = {}
    if long_name:
        attrs["long_name"] = long_name
    if units:
        attrs["units"] = units
    attrs.update(extra)
    return alts, attrs


# codes written by mrdyn (include/mrdyn/classify.h, src/dmft/currents_mode.c)
LABEL_FLAGS = dict(flag_values=[0, 1, 2, 3, 4, 5],
                   flag_meanings="invalid chaos fixed_point+chaos fixed_point limit_cycle+chaos limit_cycle")
BATCH_FLAGS = dict(flag_values=[1, 2, 3], flag_meanings="fixed_point limit_cycle not_converged")
BRANCH_FLAGS = dict(flag_values=[0, 1, 2, 3], flag_meanings="static chaos_with_structure chaos quiescent")


def _run_table(meanfield):
    """Run files (simulate) and mean-field files (dmft); sweep members keep their names."""
    var = "variance Delta_r(t,t)" if meanfield else "variance of x"
    psi = "psi(Delta_r(t,t))" if meanfield else "psi = <phi'(x)>"
    t = {
        "time": _e(("time",), "time", TAU),
        "currents": _e(("time", "trial?", "C"), "current S"),
        "variance": _e(("time", "trial?", "region"), var),
        "psi": _e(("time", "trial?", "region"), psi),
        "traces/x": _e(("time", "trial?", "trace"), "x of the sampled neurons"),
        "traces/index": _e(("trace", "trace_field")),
        "state/x": _e([("neuron", "trial"), ("neuron",)], "x of every neuron at the end of the run (regions in model order)"),
        "activity": _e(("activity_time", "neuron"), "rate phi(x) of every neuron (regions in model order)"),
        "activity_time": _e(("activity_time",), "time of the saved activity", TAU),
        "delta": _e(("region", "trial?", "delta_time", "lag"), "Delta(t_ref, t_ref + lag)"),
        "delta_times": _e(("delta_time",), "reference time t_ref", TAU),
        "delta_lags": _e(("lag",), "lag", TAU),
        "channel/target": _e(("channel",), "target region of the channel"),
        "channel/source": _e(("channel",), "source region of the channel"),
        "that_eigenvalues": _e(("that_eigenvalue", "part"), "eigenvalues of That, by decreasing real part"),
        "full/Delta": _e(("region", "t1", "t2"), "two-point function Delta_r(t1, t2) (upper triangle t1 <= t2)"),
        "full/Gamma": _e(("region", "t1", "t2"), "Gamma_r(t1, t2) (upper triangle t1 <= t2)"),
        "classification/region": _e(("region",), "the region's dynamics by the paper's rule"),
        "classification/code": _e(("region",), "code of the region's label", **LABEL_FLAGS),
        "classification/curve": _e(("classification_lag", "region"),
                                   "normalised two-point function Delta(t0, t0+lag) / sqrt(Delta(t0,t0) Delta(t0+lag,t0+lag))"),
        "silenced/that_eigenvalues": _e(("that_eigenvalue", "part"), "eigenvalues of That without the currents out of the silenced regions"),
        "silenced/regions": _e(("silenced_region",), "the silenced regions"),
        "dynamic_spectrum/time": _e(("dynamic_spectrum_time",), "time of the dynamic spectrum", TAU),
        "dynamic_spectrum/eigenvalues": _e(("dynamic_spectrum_time", "that_eigenvalue", "part"), "eigenvalues of T[m,n,r] psi_n(t)"),
        "stationary/S": _e(("C",), "currents of the stationary state"),
        "stationary/Delta0": _e(("region",), "stationary variance Delta0"),
        "stationary/Delta_inf": _e(("region",), "static part Delta_inf of the stationary two-point function"),
        "stationary/A": _e(("region",), "structured variance A"),
        "stationary/psi": _e(("region",), "stationary gain psi"),
        "stationary/Delta0_scs": _e(("region",), "single-region SCS variance (NaN where g <= 1)"),
        "batch/initial": _e(("batch", "C"), "initial currents of each member of the batch"),
        "batch/final": _e(("batch", "C"), "end currents of each member of the batch"),
        "batch/variance": _e(("batch", "region"), "end variance of each member of the batch"),
        "batch/psi": _e(("batch", "region"), "end gain psi of each member of the batch"),
        "batch/class": _e(("batch",), "class of the current dynamics", **BATCH_FLAGS),
        "batch/period": _e(("batch",), "period of a limit cycle", TAU),
        "batch/residual": _e(("batch",), "max |dS/dt| at the end"),
        "fixed_points/S": _e(("fixed_point", "C"), "distinct fixed points of the currents"),
        "fixed_points/jacobian_eigenvalues": _e(("fixed_point", "jacobian_eigenvalue", "part"), "eigenvalues of the exact Jacobian at the fixed point"),
        "fixed_points/leading_eigenvalue": _e(("fixed_point",), "largest real part of the Jacobian's eigenvalues", PER_TAU),
        "fixed_points/residual": _e(("fixed_point",), "end residual of the member the fixed point came from"),
        "fixed_points/stability": _e(("fixed_point",), "stable, marginal or unstable"),
        # -mode stationary (docs/usage.md)
        "stationary_theory/lambda": _e(("region",), "lambda with psi(Delta0) = 1/lambda"),
        "stationary_theory/Delta0_structure": _e(("region",), "Delta0 fixed by the structure"),
        "stationary_theory/onset_g": _e(("region",), "g where the static state loses stability"),
        "stationary_theory/end_g": _e(("region",), "g where the structured variance A reaches 0"),
        "stationary_theory/transition_g": _e(("region",), "first grid g with 1e-3 < Delta0 - Delta_inf < 0.1 (the paper notebook's rule)"),
        "stationary_theory/g": _e(("g_point", "region"), "disorder g"),
        "stationary_theory/A": _e(("g_point", "region"), "structured variance A"),
        "stationary_theory/A_fp": _e(("g_point", "region"), "A of the static branch (negative: no static solution)"),
        "stationary_theory/Delta_inf": _e(("g_point", "region"), "static part Delta_inf"),
        "stationary_theory/Delta0": _e(("g_point", "region"), "variance Delta0"),
        "stationary_theory/Delta0_scs": _e(("g_point", "region"), "single-region SCS variance"),
        "stationary_theory/branch": _e(("g_point", "region"), "branch of the stationary theory", **BRANCH_FLAGS),
        "stationary_theory/tau": _e(("tau",), "lag tau of Delta(tau)", TAU),
        "stationary_theory/delta_tau": _e(("delta_tau_g_point", "region", "tau"), "Delta(tau) of the stationary ODE"),
        "stationary_theory/delta_tau_g": _e(("delta_tau_g_point", "region"), "g of Delta(tau)"),
        "stationary_theory/delta_tau_A": _e(("delta_tau_g_point", "region"), "A of Delta(tau)"),
        "stationary_theory/delta_tau_Delta_inf": _e(("delta_tau_g_point", "region"), "Delta_inf of Delta(tau)"),
        # sweep members (docs/sweep.md)
        "final/currents": _e(("C",), "currents at the end of the member's run"),
        "final/variance": _e(("region",), "variance at the end of the member's run"),
        "final/psi": _e(("region",), "psi at the end of the member's run"),
        "final/label": _e(("region",), "the region's label by the paper's rule", **LABEL_FLAGS),
        # -analysis lyapunov, and the lyapunov file
        "lyapunov/exponents": _e(("exponent",), "Lyapunov exponents", PER_TAU),
        "lyapunov/time": _e(("lyapunov_time",), "time of each orthonormalisation after the transient", TAU),
        "lyapunov/running": _e(("lyapunov_time", "exponent"), "running estimate of the exponents", PER_TAU),
    }
    return t


SPECTRUM = {
    "eigenvalues": _e(("eigenvalue", "part"), "eigenvalues of the connectivity W, by decreasing modulus"),
    "theory/outliers": _e(("outlier", "part"), "predicted outliers: eigenvalues of That with modulus > max g_r"),
    "theory/that_eigenvalues": _e(("that_eigenvalue", "part"), "eigenvalues of That, by decreasing real part"),
    "theory/bulk_radius": _e(("region",), "radius g_r of region r's bulk"),
    "channel/target": _e(("channel",), "target region of the channel"),
    "channel/source": _e(("channel",), "source region of the channel"),
}

DIMENSION = {
    "participation_ratio": _e(("region",), "participation ratio (tr C_rr)^2 / tr(C_rr^2) of each region"),
    "participation_ratio_network": _e(("network",), "participation ratio of the whole covariance"),
    "covariance_eigenvalues": _e(("mode",), "eigenvalues of the covariance of the activity, decreasing"),
    "window": _e(("window_field",), "t_start, t_end of the saved rows used, and their number"),
}

MODEL = {
    "N": _e(("region",), "neurons per region"),
    "g": _e(("region",), "disorder strength per region"),
    "sigma2": _e(("region",), "readout variance per region"),
    "T": _e(("target", "middle", "source"), "T[r,s,q] = <n^{rs} m^{sq}>"),
    "U": _e(("target", "source", "source2"), "U[s,q,q'] = <m^{sq} m^{sq'}>"),
    "V": _e([("target", "source"), ("channel",)], "input routing <n^{rs} u^s>"),
    "channel/target": _e(("channel",), "target region of the channel"),
    "channel/source": _e(("channel",), "source region of the channel"),
    "T/row": _e(("T_entry",), "out-channel of the middle region"),
    "T/col": _e(("T_entry",), "in-channel of the middle region"),
    "T/value": _e(("T_entry",), "T entry"),
    "U/row": _e(("U_entry",), "in-channel"),
    "U/col": _e(("U_entry",), "in-channel"),
    "U/value": _e(("U_entry",), "U entry"),
}

LYAPUNOV = {
    "state/x": _e(("trial", "neuron"), "x at the end (regions in model order)"),
}

CHECKPOINT = {
    "state/x": _e(("neuron", "trial"), "x of every neuron (regions in model order)"),
    "state/S": _e(("C", "trial"), "filtered currents"),
    "state/xref": _e(("neuron", "delta_time"), "x at the reference times"),
    "state/delta_rec": _e(("region", "delta_time", "lag"), "two-point function recorded so far"),
    "state/delta_ref_step": _e(("delta_time",), "step of each reference time"),
    "state/delta_ref_time": _e(("delta_time",), "reference times", TAU),
    "lyapunov/Q": _e(("neuron", "exponent"), "tangent vectors"),
    "lyapunov/acc": _e(("exponent",), "summed log R_ii"),
    "lyapunov/state": _e(("lyapunov_state",), "t_accumulated, last step, records, t_transient, then time and running estimate of every record"),
}

POLYTOPE_SINGLE = {
    "vertices": _e(("vertex", "pair"), "vertices: x_p = (S^{ij})^2 of each pair p = {i, j}"),
    "pairs": _e(("pair", "pair_field")),
    "weights": _e(("region", "pair"), "weights W of the equalities W x = A"),
    "A": _e(("region",), "A_i = psi^-1(1/b_i)"),
    "b": _e(("region",), "b_i"),
    "fracture": _e(("pair",), "1: the variable is nonzero at every vertex (fracture variable)"),
    "zero": _e(("pair",), "1: the variable is zero at every vertex"),
}

POLYTOPE_STATISTICS = {
    "b": _e(("draw", "region"), "sorted b of each draw"),
    "vertex_count": _e(("draw",), "vertices of the polytope"),
    "fracture_count": _e(("draw",), "fracture variables"),
    "zero_count": _e(("draw",), "variables zero at every vertex"),
    "dimension": _e(("draw",), "dimension of the polytope (-1: empty)"),
    "attempts": _e(("draw",), "draws until the polytope was nonempty"),
    "seconds": _e(("draw",), "time of the draw", "s"),
    "fracture": _e(("draw", "pair"), "1: fracture variable"),
    "pairs": _e(("pair", "pair_field")),
}

RUN = _run_table(False)
MEANFIELD = _run_table(True)

# datasets that become coordinates of a dimension instead of variables
COORD_SOURCES = {
    "time": "time",
    "delta_times": "delta_time",
    "delta_lags": "lag",
    "activity_time": "activity_time",
    "lyapunov/time": "lyapunov_time",
    "dynamic_spectrum/time": "dynamic_spectrum_time",
    "stationary_theory/tau": "tau",
    "state/delta_ref_time": "delta_time",
}

# datasets stored as floats that hold integers (cast when every value is integral)
INTEGER_DATASETS = {"batch/class", "silenced/regions", "stationary_theory/branch", "window"}

# attributes stored as floats that hold integers, and flags stored as numbers
INTEGER_ATTRS = {"N", "done", "failed", "missing", "members_total", "first_member", "last_member", "t0_step",
                 "steps", "samples", "n", "draws", "R", "C", "Nt", "trials", "seed", "init_seed", "member",
                 "mpi_size", "save_every", "save_activity", "lyap_k", "lyap_every", "block_size"}
BOOL_ATTRS = {"settled_early", "stationary_converged"}

# coordinate attributes
COORD_ATTRS = {
    "time": dict(long_name="time", units=TAU),
    "trial": dict(long_name="trial", description="trial q starts from the initial state drawn with init_seed + q"),
    "region": dict(long_name="region"),
    "target": dict(long_name="target region"),
    "source": dict(long_name="source region"),
    "middle": dict(long_name="middle region (source of the first channel, target of the second)"),
    "source2": dict(long_name="source region of the second channel"),
    "channel": dict(long_name="channel"),
    "lag": dict(long_name="lag", units=TAU),
    "delta_time": dict(long_name="reference time", units=TAU),
    "activity_time": dict(long_name="time of the saved activity", units=TAU),
    "lyapunov_time": dict(long_name="time of the orthonormalisation", units=TAU),
    "dynamic_spectrum_time": dict(long_name="time", units=TAU),
    "tau": dict(long_name="lag tau", units=TAU),
    "t1": dict(long_name="time t1", units=TAU),
    "t2": dict(long_name="time t2", units=TAU),
    "classification_lag": dict(long_name="lag from t0", units=TAU),
    "part": dict(long_name="real and imaginary part"),
    "member": dict(long_name="member of the sweep"),
}

_NETWORK = re.compile(r"^network/region(\d+)/(vectors|J)$")


def table_for(kind, mode=None):
    """The table of a file's own datasets, by kind."""
    if kind == "dmft":
        return MEANFIELD
    if kind in ("simulate", "member", "unknown"):
        return RUN
    if kind == "spectrum":
        return SPECTRUM
    if kind == "dimension":
        return DIMENSION
    if kind == "lyapunov":
        return dict(RUN, **LYAPUNOV)
    if kind == "checkpoint":
        return dict(RUN, **CHECKPOINT)
    if kind == "polytope":
        return POLYTOPE_STATISTICS if mode == "statistics" else POLYTOPE_SINGLE
    if kind == "model":
        return MODEL
    return RUN


def lookup(kind, path, mode=None, member_meanfield=False):
    """(alternatives of dims, attrs) of the dataset at path (no leading slash), or None."""
    for prefix, tab in (("spectrum/", SPECTRUM), ("dimension/", DIMENSION), ("model/", MODEL)):
        if path.startswith(prefix) and kind in ("simulate", "member", "dmft", "unknown"):
            hit = tab.get(path[len(prefix):])
            if hit:
                return hit
    m = _NETWORK.match(path)
    if m:
        r, what = m.groups()
        n = "neuron_region" + r
        if what == "J":
            return _e((n, n + "_col"), "disorder J^r of region " + r)
        return _e((n, "vector_region" + r), "vectors of region " + r + " (order in model.md section 5)")
    tab = table_for(kind, mode)
    if kind == "member" and member_meanfield:
        tab = MEANFIELD
    return tab.get(path)
