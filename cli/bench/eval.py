"""`losskit eval` against the Python tools on the same files, side by side in one run:

  CSV      losskit eval   vs  pandas.read_csv (C engine)        + torch mse_loss
  Parquet  losskit eval   vs  pyarrow.parquet.read_table        + torch mse_loss
  .npy     losskit eval   vs  np.load                           + torch mse_loss

The data: N rows of float64 predictions and targets, written by pandas (CSV), pyarrow (Parquet,
snappy, its default row groups) and numpy (two 1-D .npy files). Every command runs in its own
process; rounds are interleaved and the median is reported. losskit's time is the whole process
(Node's start included); Python's is read + loss inside the process, its imports excluded (the
comparison is generous to Python). CPU seconds (user + system: getrusage for losskit, process_time
for Python) are reported beside wall time, because on a loaded machine wall time mostly measures
the wait for a core. Peak RSS (ru_maxrss of each child, from wait4) is measured at
two sizes to show whether memory grows with the file.

Run from the repository root after `npm run build`, in a virtualenv with pandas, pyarrow, numpy and
torch (cli/README.md):
  python cli/bench/eval.py --rows 2000000,10000000 --rounds 3 [--dir /tmp/x] [--json out.json]
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
    table = pq.read_table(files[0], columns=['prediction', 'target'])
    p, t = table['prediction'].to_numpy(), table['target'].to_numpy()
else:
    p, t = np.load(files[0]), np.load(files[1])
loss = F.mse_loss(torch.from_numpy(p), torch.from_numpy(t)).item()
print(time.perf_counter() - start, time.process_time() - cpu, loss)
"""


def run_measured(command):
    """(seconds, stdout, peak RSS in MB, CPU seconds) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Read the pipes before waiting, then reap with wait4 to get this child's own peak RSS.
    out = child.stdout.read().decode()
    err = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{command}: exit {child.returncode}: {err}")
    return elapsed, out, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def write_files(directory, rows):
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(rows)
    p = rng.normal(0, 3, rows)
    t = p + rng.normal(0, 1, rows)
    base = Path(directory) / f"r{rows}"
    files = {"csv": [f"{base}.csv"], "parquet": [f"{base}.parquet"], "npy": [f"{base}-p.npy", f"{base}-t.npy"]}
    if not all(Path(f).exists() for paths in files.values() for f in paths):
        pd.DataFrame({"prediction": p, "target": t}).to_csv(files["csv"][0], index=False)
        pq.write_table(pa.table({"prediction": p, "target": t}), files["parquet"][0])
        np.save(files["npy"][0], p)
        np.save(files["npy"][1], t)
    return files


def losskit_command(kind, files):
    columns = ["--columns", "prediction", "--target-columns", "target"] if kind != "npy" else []
    return ["node", str(CLI), "eval", "--loss", "mse", *files, *columns, "--json"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="2000000,10000000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dir", default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    directory = args.dir or tempfile.mkdtemp(prefix="losskit-eval-bench-")
    sizes = [int(s) for s in args.rows.split(",")]
    results = {"load_before": os.getloadavg(), "rows": sizes, "cases": []}
    for rows in sizes:
        files = write_files(directory, rows)
        for kind, paths in files.items():
            mb = sum(os.path.getsize(f) for f in paths) / 1e6
            timings = {"losskit": [], "python": []}
            cpu = {"losskit": [], "python": []}
            peaks = {"losskit": [], "python": []}
            losses = {}
            for _ in range(args.rounds):
                seconds, out, peak, used = run_measured(losskit_command(kind, paths))
                timings["losskit"].append(seconds)
                cpu["losskit"].append(used)
                peaks["losskit"].append(peak)
                losses["losskit"] = json.loads(out)["loss"]
                _, out, peak, _ = run_measured([sys.executable, "-c", WORKER, kind, *paths])
                inner, inner_cpu, loss = out.split()
                timings["python"].append(float(inner))
                cpu["python"].append(float(inner_cpu))
                peaks["python"].append(peak)
                losses["python"] = float(loss)
            case = {
                "format": kind,
                "rows": rows,
                "MB": round(mb, 1),
                "losskit_s": round(statistics.median(timings["losskit"]), 3),
                "python_s": round(statistics.median(timings["python"]), 3),
                "losskit_cpu_s": round(statistics.median(cpu["losskit"]), 3),
                "python_cpu_s": round(statistics.median(cpu["python"]), 3),
                "losskit_MB_per_s": round(mb / statistics.median(timings["losskit"]), 1),
                "python_MB_per_s": round(mb / statistics.median(timings["python"]), 1),
                "losskit_peak_rss_MB": round(max(peaks["losskit"])),
                "python_peak_rss_MB": round(max(peaks["python"])),
                "losskit_loss": losses["losskit"],
                "python_loss": losses["python"],
                "timings": timings,
                "cpu": cpu,
            }
            results["cases"].append(case)
            print(json.dumps({k: v for k, v in case.items() if k != "timings"}), flush=True)
    results["load_after"] = os.getloadavg()
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
