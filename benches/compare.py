#!/usr/bin/env python3
"""Compare the CPU time of two or more `screener` binaries on the score benchmark's
corpus, runs interleaved so that a noisy machine slows them alike.

    python3 benches/compare.py NAME=BINARY [NAME=BINARY ...] [--runs N] [--cpu C]

For each binary: start-up (scoring an empty directory) and the whole corpus
(`score --json` over ../shared/corpus/dev and spamassassin), user + system CPU
time, best and median of N runs, and peak RSS. Build the old binary from a
worktree, e.g. `git worktree add /tmp/old HEAD~1 && cargo build --release
--manifest-path /tmp/old/Cargo.toml`.
"""

import argparse
import os
import statistics
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = [str((REPO / "../shared/corpus" / c).resolve()) for c in ("dev", "spamassassin")]


def cpu(binary, cpu_index, paths):
    """CPU seconds and peak RSS (KiB) of one `score` run, output discarded."""
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.execvp("taskset", ["taskset", "-c", str(cpu_index), binary, "score", "--json", *paths])
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs="+", metavar="NAME=BINARY")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cpu", type=int, default=0)
    args = parser.parse_args()
    named = [b.split("=", 1) if "=" in b else (b, b) for b in args.binaries]
    empty = tempfile.mkdtemp()
    results = {name: ([], []) for name, _ in named}
    for _ in range(args.runs):
        for name, binary in named:
            results[name][0].append(cpu(binary, args.cpu, [empty])[0])
            results[name][1].append(cpu(binary, args.cpu, CORPORA))
    for name, _ in named:
        start = sorted(results[name][0])
        full = sorted(t for t, _ in results[name][1])
        rss = max(r for _, r in results[name][1]) / 1024
        print(
            f"{name:12s} start-up best {start[0] * 1000:4.0f} ms, median {statistics.median(start) * 1000:4.0f} ms"
            f" | corpus best {full[0] * 1000:4.0f} ms, median {statistics.median(full) * 1000:4.0f} ms"
            f" | peak RSS {rss:.1f} MiB"
        )


if __name__ == "__main__":
    main()
