#!/usr/bin/env python3
"""Seeds each fuzz target's corpus (fuzz/seeds/TARGET, gitignored) from the real fixtures.

Nothing here is hand-written input: every seed is a real Flink file or a slice of one.
"""
import hashlib
import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "seeds"
# Large seeds slow every execution; the readers' interesting parts are near the front.
MAX_SEED = 64 * 1024


def put(target, data):
    data = data[:MAX_SEED]
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(*dirs):
    for d in dirs:
        for dirpath, _, names in os.walk(ROOT / d):
            for n in sorted(names):
                yield pathlib.Path(dirpath) / n


def type_strings(v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, str) and k in ("type", "keyType", "valueType", "elementType"):
                out.add(x)
            type_strings(x, out)
    elif isinstance(v, list):
        for x in v:
            type_strings(x, out)


def main():
    types = set()
    for p in files(
        "fixtures/savepoints", "fixtures/cases", "fixtures/flink-restore-tests", "tests/data"
    ):
        raw = p.read_bytes()
        if p.name == "_metadata":
            put("metadata", raw)
        elif p.parent.name != "" and "_metadata" in os.listdir(p.parent) and p.suffix == "":
            # A state file beside a _metadata: its header, read as keyed (0) and operator (1).
            put("backend_meta", b"\x00" + raw)
            put("backend_meta", b"\x01" + raw)
        # State inline in `_metadata` (Flink's restore tests: table-runtime and CEP
        # serializers): where a backend header (version 6) may start, read both ways.
        if p.name == "_metadata" and "flink-restore-tests" in str(p):
            start, n = 0, 0
            while n < 24 and (i := raw.find(b"\x00\x00\x00\x06", start)) >= 0:
                put("backend_meta", b"\x00" + raw[i:])
                put("backend_meta", b"\x01" + raw[i:])
                start, n = i + 4, n + 1
        # Java-serialization streams embedded in savepoints and state files.
        if p.suffix == "" or p.name == "_metadata":
            start = 0
            while (i := raw.find(b"\xac\xed\x00\x05", start)) >= 0:
                put("javaser", raw[i:])
                start = i + 4
        if p.suffix in (".json", ".yaml", ".yml"):
            text = raw.decode("utf-8", "replace")
            if '"nodes"' in text and "flinkVersion" in text:
                put("plan", raw)
            else:
                put("job_graph", raw)
            if p.suffix == ".json":
                try:
                    type_strings(json.loads(text), types)
                except ValueError:
                    pass
    for t in sorted(types):
        put("notation", t.encode())
    for d in sorted(OUT.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")


main()
