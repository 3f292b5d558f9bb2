"""`losskit eval` against the Python tools on the same files, side by side in one run:

  CSV      losskit eval   vs  pandas.read_csv (C engine)        + torch mse_loss
  Parquet  losskit eval   vs  pyarrow.parquet.read_table        + torch mse_loss
  .npy     losskit eval   vs  np.load                           + torch mse_loss

The data: N rows of float64 predictions and targets, written by pandas (CSV), pyarrow (Parquet,
snappy (its default) and zstd, its default row groups) and numpy (two 1-D .npy files). --csv-rows
sets the CSV's size apart (26M rows make ~1 GB). On the CSV, losskit runs twice: with `--jobs 1`
(one thread, as pandas) and as it runs by default (one large quote-free file is split across the
available cores); --jobs N adds a run of `losskit eval --jobs N`. Every command runs in its own
process; rounds are interleaved and the median is reported. losskit's time is the whole process
(Node's start included); Python's is read + loss inside the process, its imports excluded (the
comparison is generous to Python). Peak RSS is /usr/bin/time's (see run_measured). CPU seconds (user + system: getrusage for losskit, process_time
for Python) are reported beside wall time, because on a loaded machine wall time mostly measures
the wait for a core. Peak RSS is measured at two sizes to show whether memory grows with the file.

Run from the repository root after `npm run build`, in a virtualenv with pandas, pyarrow, numpy and
torch (cli/README.md):
  python cli/bench/eval.py --rows 50000000 --csv-rows 26000000 --jobs 2 --rounds 3 [--dir /tmp/x] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "cli" / "dist" / "main.js"

WORKER = r"""
import sys, time
kind, *files = sys.argv[1:]
import numpy as np, torch
import torch.nn.functional as F
if kind == 'csv':
    import pandas as pd
elif kind == 'parquet':
    import pyarrow.parquet as pq
start, cpu = time.perf_counter(), time.process_time()
if kind == 'csv':
    frame = pd.read_csv(files[0], engine='c')
    p, t = frame['prediction'].to_numpy(), frame['target'].to_numpy()
elif kind == 'parquet':
    table = pq.read_table(files[0], columns=['prediction', 'target'])  # pyarrow's threads: CPU time counts them all
    p, t = table['prediction'].to_numpy(), table['target'].to_numpy()
else:
    p, t = np.load(files[0]), np.load(files[1])
loss = F.mse_loss(torch.from_numpy(p), torch.from_numpy(t)).item()
print(time.perf_counter() - start, time.process_time() - cpu, loss)
"""


def run_measured(command):
    """(seconds, stdout, peak RSS in MB, CPU seconds) of one child process.

    The peak RSS comes from /usr/bin/time -f %M: the ru_maxrss that wait4 reports for a child of
    this script includes this script's own RSS at the fork (Linux keeps the pre-exec high-water
    mark), which grows to hundreds of MB while the data files are written.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        child = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name, *command], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Read the pipes before waiting, then reap with wait4 for the CPU time (user + system).
        out = child.stdout.read().decode()
        err = child.stderr.read().decode()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{command}: exit {child.returncode}: {err}")
        peak_kb = int(rss.read().split()[-1])
    return elapsed, out, peak_kb / 1024, usage.ru_utime + usage.ru_stime


def write_files(directory, rows, formats):
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = Path(directory) / f"r{rows}"
    files = {
        "csv": [f"{base}.csv"],
        "parquet": [f"{base}.parquet"],
        "parquet-zstd": [f"{base}-zstd.parquet"],
        "npy": [f"{base}-p.npy", f"{base}-t.npy"],
    }
    files = {k: v for k, v in files.items() if k in formats}
    if not all(Path(f).exists() for paths in files.values() for f in paths):
        rng = np.random.default_rng(rows)
        p = rng.normal(0, 3, rows)
        t = p + rng.normal(0, 1, rows)
        if "csv" in files:
            pd.DataFrame({"prediction": p, "target": t}).to_csv(files["csv"][0], index=False)
        if "parquet" in files:
            pq.write_table(pa.table({"prediction": p, "target": t}), files["parquet"][0])
        if "parquet-zstd" in files:
            pq.write_table(pa.table({"prediction": p, "target": t}), files["parquet-zstd"][0], compression="zstd")
        if "npy" in files:
            np.save(files["npy"][0], p)
            np.save(files["npy"][1], t)
    return files


def losskit_command(kind, files, jobs=None):
    columns = ["--columns", "prediction", "--target-columns", "target"] if kind != "npy" else []
    return ["node", str(CLI), "eval", "--loss", "mse", *files, *columns, "--json", *(["--jobs", str(jobs)] if jobs else [])]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="2000000,10000000", help="rows of the Parquet and .npy files (and the CSV without --csv-rows)")
    parser.add_argument("--csv-rows", default=None, help="rows of the CSV files")
    parser.add_argument("--formats", default="csv,parquet,parquet-zstd,npy")
    parser.add_argument("--jobs", type=int, default=1, help="also run losskit eval --jobs N on the CSV (N > 1)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    directory = args.dir or tempfile.mkdtemp(prefix="losskit-eval-bench-")
    os.makedirs(directory, exist_ok=True)
    formats = args.formats.split(",")
    sizes = [int(s) for s in args.rows.split(",")]
    csv_sizes = [int(s) for s in args.csv_rows.split(",")] if args.csv_rows else sizes
    plan = [(rows, [f for f in formats if f != "csv"]) for rows in sizes] + [(rows, ["csv"]) for rows in csv_sizes if "csv" in formats]
    results = {"load_before": os.getloadavg(), "rows": sizes, "csv_rows": csv_sizes, "cases": []}
    for rows, chosen in plan:
        files = write_files(directory, rows, chosen)
        for kind, paths in files.items():
            mb = sum(os.path.getsize(f) for f in paths) / 1e6
            variants = {"losskit": None}
            if kind == "csv":
                variants = {"losskit --jobs 1": 1, f"losskit (default: {len(os.sched_getaffinity(0))} cores)": None}
                if args.jobs > 1:
                    variants[f"losskit --jobs {args.jobs}"] = args.jobs
            timings = {name: [] for name in [*variants, "python"]}
            cpu = {name: [] for name in timings}
            peaks = {name: [] for name in timings}
            losses = {}
            loads = []
            reader = "parquet" if kind.startswith("parquet") else kind
            for _ in range(args.rounds):
                loads.append(os.getloadavg()[0])
                for name, jobs in variants.items():
                    seconds, out, peak, used = run_measured(losskit_command(reader, paths, jobs))
                    timings[name].append(seconds)
                    cpu[name].append(used)
                    peaks[name].append(peak)
                    losses[name] = json.loads(out)["loss"]
                _, out, peak, _ = run_measured([sys.executable, "-c", WORKER, reader, *paths])
                inner, inner_cpu, loss = out.split()
                timings["python"].append(float(inner))
                cpu["python"].append(float(inner_cpu))
                peaks["python"].append(peak)
                losses["python"] = float(loss)
            median = lambda xs: round(statistics.median(xs), 3)
            case = {"format": kind, "rows": rows, "MB": round(mb, 1), "load_1min": loads}
            for name in timings:
                case[f"{name} wall_s"] = median(timings[name])
                case[f"{name} cpu_s"] = median(cpu[name])
                case[f"{name} peak_rss_MB"] = round(max(peaks[name]))
                case[f"{name} loss"] = losses[name]
            for name in variants:
                case[f"{name} / python, wall"] = round(statistics.median(timings[name]) / statistics.median(timings["python"]), 2)
                case[f"{name} / python, cpu"] = round(statistics.median(cpu[name]) / statistics.median(cpu["python"]), 2)
            case["timings"] = timings
            case["cpu"] = cpu
            results["cases"].append(case)
            print(json.dumps({k: v for k, v in case.items() if k not in ("timings", "cpu")}), flush=True)
    results["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
