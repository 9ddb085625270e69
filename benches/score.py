#!/usr/bin/env python3
"""Benchmark `screener score` over the shared corpora on one core, beside
`grep -F -i -f PATTERNS` (every phrase of the built-in rules) over the same files,
measured in the same run.

    python3 benches/score.py [--runs N]

Prints messages/s, MB/s, the wall time of each tool (best of N runs, pinned to
CPU 0 with taskset) and screener's peak RSS. grep runs twice: with 40 phrases,
and with every literal of screener's automaton (the phrases, regex prefixes and
covers `build.rs` stores), so the comparison can be read both ways.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORTY_PHRASES = [
    "impressive network", "well connected", "help each other", "explore synergies", "who are your clients",
    "who do you work with", "introduce me to", "connect me with", "you're connected to", "linkedin recommendation",
    "endorse me", "referral fee", "business opportunity", "be your own boss", "came across your profile",
    "connected on linkedin", "we haven't met", "pick your brain", "15 minutes of your time", "quick call",
    "your network", "your contacts", "your clients", "warm introduction", "decision makers", "member list",
    "monetize your network", "passive income", "finder's fee", "put me in touch", "any introductions",
    "forward this to", "people you know", "your rolodex", "grab a coffee", "mutually beneficial",
    "write me a recommendation", "testimonial", "downline", "join my team",
]
CORPORA = [REPO / "../shared/corpus/dev", REPO / "../shared/corpus/spamassassin"]


def run(cmd):
    """Wall time and peak RSS (KiB) of one run, output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # grep exits 1 when nothing matched
        sys.exit(f"{cmd[0]} failed with exit code {code}")
    return elapsed, usage.ru_maxrss


def best(cmd, runs):
    results = [run(cmd) for _ in range(runs)]
    return min(t for t, _ in results), max(r for _, r in results)


def automaton_literals():
    """The newest `automaton-patterns.txt` that `build.rs` wrote for the release build."""
    found = sorted((REPO / "target/release/build").glob("screener-*/out/automaton-patterns.txt"),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        sys.exit("target/release/build/screener-*/out/automaton-patterns.txt not found: run cargo build --release")
    return found[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    corpora = [c.resolve() for c in CORPORA]
    missing = [str(c) for c in corpora if not c.is_dir()]
    if missing:
        sys.exit(f"corpus not found: {', '.join(missing)}")
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    binary = REPO / "target/release/screener"

    files = [p for c in corpora for p in c.rglob("*") if p.is_file() and p.suffix == ".eml"]
    size = sum(p.stat().st_size for p in files)
    rules = tomllib.loads((REPO / "config/rules.toml").read_text())
    phrases = sorted({p for r in rules.get("rules", []) for p in r.get("phrases", [])})
    if len(phrases) < 40:
        # The built-in rules are written as regexes; compare with the same 40 literal
        # phrases the imapfilter comparison in benches/daemon.rs uses.
        phrases = FORTY_PHRASES

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(phrases) + "\n")
        patterns = f.name
    try:
        pin = ["taskset", "-c", "0"]
        screener_cmd = pin + [str(binary), "score", "--json", *map(str, corpora)]
        grep_cmd = pin + ["grep", "-r", "-F", "-i", "-c", "-f", patterns, *map(str, corpora)]
        literals = automaton_literals()
        grep_all_cmd = pin + ["grep", "-r", "-F", "-i", "-c", "-f", str(literals), *map(str, corpora)]
        run(screener_cmd)  # warm the page cache
        s_time, s_rss = best(screener_cmd, args.runs)
        g_time, _ = best(grep_cmd, args.runs)
        g_all_time, _ = best(grep_all_cmd, args.runs)
    finally:
        os.unlink(patterns)

    n = len(files)
    mb = size / 1e6
    print(f"corpus: {n} messages, {mb:.1f} MB; {len(phrases)} phrases for grep")
    print(f"screener score --json : {s_time*1000:7.1f} ms  {n/s_time:9.0f} msg/s  {mb/s_time:6.1f} MB/s  peak RSS {s_rss/1024:.1f} MiB")
    print(f"grep -r -F -i -c -f   : {g_time*1000:7.1f} ms  {n/g_time:9.0f} msg/s  {mb/g_time:6.1f} MB/s")
    print(f"screener / grep       : {s_time/g_time:.2f}x the time")
    n_literals = sum(1 for _ in open(literals))
    print(f"grep with the automaton's {n_literals} literals: {g_all_time*1000:7.1f} ms; screener / that grep: {s_time/g_all_time:.2f}x the time")


if __name__ == "__main__":
    main()
