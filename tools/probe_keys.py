"""probe_keys.py: `procscope probe --json` outputs side by side, for tools/kernels/report.py and
tools/bench_report.py compare.

A key the probe could not measure is null in the JSON and KEY_unmeasured holds why
(tools/cli/probe_command.cc). Such a cell reads "unmeasured: WHY" and never counts as a difference: only
measured values are compared.
"""
import json

UNMEASURED_SUFFIX = "_unmeasured"


def cell(probe, key):
    """(text, measured) of one probe's KEY: its JSON value, "unmeasured: WHY", or "-" when absent."""
    if key not in probe:
        return "-", False
    why = probe.get(key + UNMEASURED_SUFFIX)
    if probe[key] is None and why is not None:
        return f"unmeasured: {why}", False
    return json.dumps(probe[key]), True


def rows(probes, skip=()):
    """[(key, [cell text per probe], differs)] for every key of any probe, in first-seen order, without the
    KEY_unmeasured keys and those in `skip`. `differs`: the measured values are not all the same."""
    keys = []
    for p in probes:
        keys += [k for k in p if k not in keys and not k.endswith(UNMEASURED_SUFFIX) and k not in skip]
    out = []
    for k in keys:
        cells = [cell(p, k) for p in probes]
        measured = {text for text, ok in cells if ok}
        out.append((k, [text for text, _ in cells], len(measured) > 1))
    return out
