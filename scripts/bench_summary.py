#!/usr/bin/env python3
"""Merges Google Benchmark JSON files and computes captee's named figures.

Each bench/<layer>/summary.json is a list of entries:
  {"key": K, "ratio": [SUBJECT, BASELINE], "field": F}  F(subject) / F(baseline), F = real_time
  {"key": K, "time_ms"|"time_us"|"time_ns": NAME}        real time per iteration
  {"key": K, "rate_gbps": NAME}                          bytes_per_second / 1e9
  {"key": K, "value": NAME, "field": F, "scale": S}      F(NAME) * S
NAME is a benchmark name; its median over repetitions is used when present.
Figures whose benchmarks did not run (e.g. filtered out) are left out.
"""
import argparse
import glob
import json
import os
import sys

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def load_results(results_dir):
    merged = {"context": None, "benchmarks": []}
    for path in sorted(glob.glob(os.path.join(results_dir, "*.json"))):
        with open(path) as f:
            text = f.read()
        if not text.strip():
            continue  # the program's benchmarks were all filtered out
        data = json.loads(text)
        merged["context"] = merged["context"] or data.get("context")
        merged["benchmarks"].extend(data.get("benchmarks", []))
    return merged


def index(benchmarks):
    by_name = {}
    for b in benchmarks:
        by_name[b["name"]] = b
    return by_name


def lookup(by_name, name):
    return by_name.get(name + "_median") or by_name.get(name)


def field(b, name):
    if name in ("real_time", "cpu_time"):
        return b[name] * TO_NS[b.get("time_unit", "ns")]
    return b[name]


def compute(entry, by_name):
    f = entry.get("field", "real_time")
    if "ratio" in entry:
        subject, baseline = (lookup(by_name, n) for n in entry["ratio"])
        if subject is None or baseline is None:
            return None
        return field(subject, f) / field(baseline, f)
    for kind, scale in (("time_ms", 1e-6), ("time_us", 1e-3), ("time_ns", 1.0)):
        if kind in entry:
            b = lookup(by_name, entry[kind])
            return None if b is None else field(b, "real_time") * scale
    if "rate_gbps" in entry:
        b = lookup(by_name, entry["rate_gbps"])
        return None if b is None else field(b, "bytes_per_second") / 1e9
    if "value" in entry:
        b = lookup(by_name, entry["value"])
        return None if b is None else field(b, f) * entry.get("scale", 1.0)
    raise ValueError(f"summary entry {entry.get('key')!r} has no known kind")


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--results", required=True)
    p.add_argument("--declarations", required=True)
    p.add_argument("--bench-json", required=True)
    p.add_argument("--summary-json", required=True)
    args = p.parse_args()

    merged = load_results(args.results)
    with open(args.bench_json, "w") as f:
        json.dump(merged, f, indent=1)
    by_name = index(merged["benchmarks"])

    summary = {}
    for decl in sorted(glob.glob(os.path.join(args.declarations, "*", "summary.json"))):
        with open(decl) as f:
            for entry in json.load(f):
                value = compute(entry, by_name)
                if value is not None:
                    summary[entry["key"]] = round(value, 4)
    with open(args.summary_json, "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)

    print("\nsummary (" + args.summary_json + "):")
    width = max((len(k) for k in summary), default=0)
    for key in sorted(summary):
        print(f"  {key:<{width}}  {summary[key]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
