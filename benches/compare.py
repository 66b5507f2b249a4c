#!/usr/bin/env python3
"""Times spcompat against `cat _metadata` and Flink's Checkpoints.loadCheckpointMetadata on the
benchmark savepoints (see compare.sh) and checks the targets of issue #13. Each command runs
RUNS times with stdout to /dev/null, in interleaved rounds (every savepoint's commands in each
round) after a warm-up round; the median wall time and the largest peak RSS are shown."""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(cmd, stdout=subprocess.DEVNULL):
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss * 1024, proc.returncode, err


GNU_TIME = "/usr/bin/time"


def peak_rss(cmd):
    """The command's own peak RSS. A child forked from this (by then large) Python process
    reports the parent's RSS as its own maximum (Linux counts the time before exec), so where
    GNU time is installed the command is run under it: forked from a small process, its peak is
    its own. Timing runs stay direct (time's fork would add to `cat`'s milliseconds)."""
    if not os.access(GNU_TIME, os.X_OK):
        return None
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run([GNU_TIME, "-f", "%M", "-o", out.name] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return int(out.read().strip().splitlines()[-1]) * 1024
        except (ValueError, IndexError):
            return None


def measure(cmd, runs, ok_codes=(0,)):
    return measure_interleaved({"one": cmd}, runs, ok_codes)["one"]


def measure_interleaved(cmds, runs, ok_codes=(0,)):
    """Runs every command once per round, `runs` rounds after one unmeasured warm-up round, so
    that a machine whose speed drifts (a shared VM, page-cache reclaim) slows all commands
    alike instead of whichever ran during the slow spell: the ratios compare like with like."""
    times = {key: [] for key in cmds}
    peak = {key: 0 for key in cmds}
    for round_ in range(runs + 1):
        for key, cmd in cmds.items():
            elapsed, rss, code, err = run_once(cmd)
            if code not in ok_codes:
                sys.exit(f"{' '.join(cmd)} exited {code}:\n{err[-2000:]}")
            if round_ > 0:
                times[key].append(elapsed)
            peak[key] = max(peak[key], rss)
    out = {}
    for key, cmd in cmds.items():
        own = peak_rss(cmd)
        out[key] = (statistics.median(times[key]), own if own is not None else peak[key])
    return out


def output_size(cmd):
    return len(subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL).stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spcompat", required=True)
    ap.add_argument("--classpath", required=True)
    ap.add_argument("--log4j", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("savepoints", nargs="+")
    a = ap.parse_args()
    java = ["java", f"-Dlog4j.configurationFile={a.log4j}", "-Xmx4g", "-cp", a.classpath,
            "com.example.bench.LoadTimer"]
    sp = a.spcompat
    results = {}
    failures = []
    per_savepoint = {}
    for d in a.savepoints:
        name = os.path.basename(d)
        meta = os.path.join(d, "_metadata")
        job = os.path.join(os.path.dirname(d), name + ".job.json")
        if not os.path.exists(job) or os.path.getmtime(job) < os.path.getmtime(meta):
            subprocess.run([sp, "snapshot", d, "-o", job], check=True)
        per_savepoint[d] = {
            "cat": ["cat", meta],
            "inspect": [sp, "inspect", d],
            "inspect-json": [sp, "inspect", "--format", "json", d],
            "check": [sp, "check", "--savepoint", d, "--job", job],
            "diff": [sp, "diff", job, job],
        }
    # Every savepoint's commands in the same rounds: the growth from 300 to 600 operators then
    # compares times taken in the same spells of this machine's drifting speed, as the ratios
    # within one savepoint do.
    every = {(d, key): cmd for d, cmds in per_savepoint.items() for key, cmd in cmds.items()}
    measured = measure_interleaved(every, a.runs, ok_codes=(0, 1, 3))
    for d in a.savepoints:
        name = os.path.basename(d)
        size = os.path.getsize(os.path.join(d, "_metadata"))
        cmds = per_savepoint[d]
        r = {key: measured[(d, key)] for key in cmds}
        r["flink-cold"] = measure(java + ["once", d], max(1, min(a.runs, 3)))
        warm = subprocess.run(java + ["warm", d, "15"], capture_output=True, text=True, check=True)
        warm_ms = float(warm.stdout.split()[1])
        r["flink-warm"] = (warm_ms / 1000, r["flink-cold"][1])
        json_bytes = output_size(cmds["inspect-json"])
        results[name] = (size, r)

        print(f"\n{name}: _metadata {size / 1e6:.1f} MB, inspect JSON {json_bytes / 1e6:.1f} MB")
        print(f"  {'command':<14}{'median ms':>11}{'MB/s':>9}{'peak MB':>9}  ratio")
        text = r["inspect"][0]
        ratios = {
            "cat": "",
            "inspect": f"{text / r['cat'][0]:.1f}x cat",
            "inspect-json": f"{r['inspect-json'][0] / text:.2f}x text inspect",
            "check": f"{r['check'][0] / text:.2f}x text inspect",
            "diff": f"{r['diff'][0] / text:.2f}x text inspect",
            "flink-cold": f"{r['flink-cold'][0] / text:.1f}x text inspect",
            "flink-warm": f"{r['flink-warm'][0] / text:.1f}x text inspect (in-process, JIT warmed)",
        }
        for key, (t, rss) in r.items():
            peak = "" if key == "flink-warm" else f"{rss / 1e6:.0f}"
            print(f"  {key:<14}{t * 1000:>11.1f}{size / 1e6 / t:>9.0f}{peak:>9}  {ratios[key]}")

        def target(ok, what):
            print(f"  {'ok  ' if ok else 'MISS'} {what}")
            if not ok:
                failures.append(f"{name}: {what}")

        target(text <= 4 * r["cat"][0], "text inspect within 4x of cat")
        target(r["flink-cold"][0] >= 30 * text, "text inspect >= 30x faster than a cold JVM")
        target(r["inspect-json"][0] <= 2 * text, "JSON inspect within 2x of text")
        target(r["check"][0] <= 1.5 * text, "check within 1.5x of text inspect")
        target(r["diff"][0] <= 1.5 * text, "diff within 1.5x of text inspect")
        worst_rss = max(rss for k, (_, rss) in r.items() if not k.startswith("flink"))
        target(worst_rss <= size + 64 * 2**20, f"peak memory {worst_rss / 1e6:.0f} MB <= _metadata + 64 MB")

    small = [n for n in results if n.endswith("-300")]
    large = [n for n in results if n.endswith("-600")]
    if small and large:
        (s_size, s), (l_size, l) = results[small[0]], results[large[0]]
        print(f"\ngrowth 300 -> 600 keyed operators (_metadata {l_size / s_size:.2f}x):")
        for key in s:
            g = l[key][0] / s[key][0]
            mark = "" if key.startswith("flink") or key == "cat" else ("  ok" if g <= 2.2 else "  MISS (> 2.2x)")
            if mark.endswith(")"):
                failures.append(f"{key} grows {g:.2f}x from 300 to 600")
            print(f"  {key:<14}{g:>6.2f}x{mark}")
    print("\nall targets met" if not failures else "\ntargets missed:\n  " + "\n  ".join(failures))


if __name__ == "__main__":
    main()
