#!/usr/bin/env python3
"""Times spcompat's `inspect`, `inspect --format json` and `check` on savepoints read from their
local folder and from a local S3 server (s3s-fs) serving a copy of them, and shows the bytes
each read: remote from the report's own `source` (bytesRead, objectsRead), local from strace's
record of the read/pread64 calls on the savepoint's files. See remote.sh."""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import measure  # noqa: E402  (the same median-of-RUNS timing as compare.sh)

BUCKET = "spcompat-bench"
KEY, SECRET = "bench-key", "bench-secret"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_s3(root):
    port = free_port()
    proc = subprocess.Popen(["s3s-fs", "--host", "127.0.0.1", "--port", str(port),
                             "--access-key", KEY, "--secret-key", SECRET, root],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                sys.exit(f"s3s-fs did not listen on {port}")
            time.sleep(0.05)


def folder_bytes(d):
    total, files = 0, 0
    for base, _, names in os.walk(d):
        for n in names:
            total += os.path.getsize(os.path.join(base, n))
            files += 1
    return total, files


def local_reads(cmd, folder):
    """Bytes and files read under `folder`, from strace: -ff writes each thread's calls to its
    own file (no interleaved, split lines), -y names each descriptor's file."""
    if shutil.which("strace") is None:
        return None
    call = re.compile(r"^p?readv?(?:64)?\(\d+<([^>]*)>.*\)\s+=\s+(\d+)")
    prefix = os.path.realpath(folder) + os.sep
    total, files = 0, set()
    with tempfile.TemporaryDirectory() as logs:
        subprocess.run(["strace", "-ff", "-y", "-e", "trace=read,pread64,readv,preadv",
                        "-o", os.path.join(logs, "t")] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for name in os.listdir(logs):
            with open(os.path.join(logs, name)) as log:
                for line in log:
                    m = call.search(line)
                    if m and m.group(1).startswith(prefix):
                        total += int(m.group(2))
                        files.add(m.group(1))
    return total, len(files)


def remote_reads(cmd, env):
    out = subprocess.run(cmd + ["--format", "json"] if "--format" not in cmd else cmd,
                         env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if out.returncode not in (0, 1, 3):
        sys.exit(f"{' '.join(cmd)} exited {out.returncode}: {out.stderr.decode()[-2000:]}")
    src = json.loads(out.stdout)["source"]
    return src["bytesRead"], src["objectsRead"]


def mb(n):
    return f"{n / 1e6:.2f} MB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spcompat", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("savepoints", nargs="+")
    a = ap.parse_args()
    sp = a.spcompat
    work = tempfile.mkdtemp(prefix="spcompat-remote-bench-")
    try:
        os.makedirs(os.path.join(work, BUCKET))
        for d in a.savepoints:
            shutil.copytree(d, os.path.join(work, BUCKET, os.path.basename(d)))
        proc, port = start_s3(work)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_") and k != "CI"}
        env.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_ACCESS_KEY_ID=KEY,
                   AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")
        try:
            print(f"{a.runs} runs per command, median wall time; s3s-fs on 127.0.0.1:{port}; "
                  f"{os.cpu_count()} CPUs")
            for d in a.savepoints:
                bench_one(sp, d, a.runs, env)
        finally:
            proc.kill()
            proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_one(sp, d, runs, env):
    name = os.path.basename(d)
    url = f"s3://{BUCKET}/{name}"
    size, files = folder_bytes(d)
    meta = os.path.getsize(os.path.join(d, "_metadata"))
    job = os.path.join(os.path.dirname(d), name + ".job.json")
    if not os.path.exists(job) or os.path.getmtime(job) < os.path.getmtime(os.path.join(d, "_metadata")):
        subprocess.run([sp, "snapshot", d, "-o", job], check=True)
    print(f"\n{name}: {mb(size)} in {files} files (_metadata {mb(meta)})")
    print(f"  {'command':<13}{'local':>9}{'remote':>9}{'ratio':>8}  {'local read':<24}remote read")
    commands = {
        "inspect": lambda s: [sp, "inspect", s],
        "inspect-json": lambda s: [sp, "inspect", "--format", "json", s],
        "check": lambda s: [sp, "check", "--savepoint", s, "--job", job],
    }
    for cmd_name, make in commands.items():
        t_local, _ = measure(make(d), runs, ok_codes=(0, 1, 3))
        t_remote, _ = measure_env(make(url), runs, env)
        local = local_reads(make(d), d)
        rb, ro = remote_reads(make(url), env)
        local_text = f"{mb(local[0])} in {local[1]} files" if local else "(strace not installed)"
        print(f"  {cmd_name:<13}{t_local:>8.3f}s{t_remote:>8.3f}s{t_remote / t_local:>7.2f}x  "
              f"{local_text:<24}{mb(rb)} in {ro} objects ({rb / size:.1%} of the folder)")


def measure_env(cmd, runs, env):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        return measure(cmd, runs, ok_codes=(0, 1, 3))
    finally:
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    main()
