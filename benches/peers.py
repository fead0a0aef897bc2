#!/usr/bin/env python3
"""Side-by-side with peer ledgers: one synthetic workload, timed in one run on one machine.

    benches/peers.py                   # 100,000 journal entries
    benches/peers.py --entries 1000000 # or any size; --also-million adds a 1,000,000 run

The workload is written once by `fw-bench generate` as our JSON Lines journal, then
converted by `fw-export` (the core's journal export) to a plain-text journal that
ledger-cli and hledger both read, and to a beancount file. Before timing, hledger's
balances are checked to be exactly ours. Then each tool reads the whole workload and
computes balances:

    ledger-cli      ledger -f FILE bal
    hledger         hledger -f FILE bal
    beancount       bean-check FILE
    ours (Rust)     fw-bench replay FILE     (hash chain verified, every entry replayed, trial balance)
    ours (Python)   Ledger.open(FILE).trial_balance()       bindings/python/.venv, if built
    ours (Node)     Ledger.fromJournal(bytes).trialBalance() bindings/wasm/pkg/node, if built

Wall time and peak resident memory come from GNU time (`/usr/bin/time -f '%e %M'`). The
markdown table printed at the end gives each row's ratio to the fastest peer.

Installs what is missing: ledger, hledger and time (apt-get, as root or with sudo) and
beancount (pip, in benches/.venv). Timings are measurements, not money: the floats here
are seconds and ratios; amounts are only ever copied as text by fw-export.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEANCOUNT_VERSION = "3.2.3"


def log(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kwargs)


def apt_install(packages: list[str]) -> None:
    if not packages:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if sudo and shutil.which("sudo") is None:
        sys.exit(f"peers: need root or sudo to install {' '.join(packages)}")
    log(f"installing {' '.join(packages)} (apt-get)")
    run(sudo + ["apt-get", "update", "-qq"])
    run(sudo + ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "-qq", *packages])


def ensure_tools() -> Path:
    """Installs the peers and GNU time when missing; returns bean-check's path."""
    missing = [pkg for tool, pkg in [("ledger", "ledger"), ("hledger", "hledger")] if shutil.which(tool) is None]
    if not Path("/usr/bin/time").exists():
        missing.append("time")
    apt_install(missing)
    venv = HERE / ".venv"
    bean_check = venv / "bin" / "bean-check"
    if not bean_check.exists():
        log(f"installing beancount {BEANCOUNT_VERSION} in {venv}")
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(venv / "bin" / "pip"), "install", "-q", f"beancount=={BEANCOUNT_VERSION}"])
    return bean_check


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def build() -> Path:
    log("building fw-bench and fw-export (release)")
    run(["cargo", "build", "--release", "-q", "-p", "funding-window-benches", "--bins"], cwd=ROOT)
    return target_dir() / "release"


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) // (1024 * 1024)} GiB RAM"
    except (OSError, ValueError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}"


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float] | str:
    """Wall seconds and peak RSS in MiB of one run, or the reason it failed."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
        )
        if proc.returncode != 0:
            return f"failed ({proc.returncode}): {proc.stderr.strip().splitlines()[-1:] or ''}"
        fields = out.read().split()
    return float(fields[-2]), int(fields[-1]) / 1024


def python_command(journal: Path) -> list[str] | None:
    python = ROOT / "bindings" / "python" / ".venv" / "bin" / "python"
    if not python.exists():
        return None
    probe = subprocess.run([str(python), "-c", "import funding_window"], capture_output=True)
    if probe.returncode != 0:
        return None
    script = "import sys, funding_window as fw\nfw.Ledger.open(sys.argv[1]).trial_balance()\n"
    return [str(python), "-c", script, str(journal)]


def node_command(journal: Path) -> list[str] | None:
    package = ROOT / "bindings" / "wasm" / "pkg" / "node" / "funding_window.js"
    if not package.exists() or shutil.which("node") is None:
        return None
    script = (
        "const fs = require('fs');\n"
        f"const {{ Ledger }} = require({str(package)!r});\n"
        "Ledger.fromJournal(fs.readFileSync(process.argv[1])).trialBalance();\n"
    )
    return ["node", "-e", script, str(journal)]


def check_balances(release: Path, jsonl: Path, journal: Path) -> None:
    """hledger's balances of the converted journal must be exactly our trial balance."""
    ours = subprocess.run(
        [str(release / "fw-export"), "balances", str(jsonl)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[1:]
    theirs = subprocess.run(
        ["hledger", "-f", str(journal), "bal", "--flat", "--layout=bare", "-O", "csv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[1:]
    theirs = [line.replace('"', "") for line in theirs if not line.startswith('"total"')]
    if ours != theirs:
        sys.exit("peers: hledger's balances differ from ours; the conversion is wrong")
    log(f"hledger's balances equal our trial balance ({len(ours)} account-currency lines)")


def workload(release: Path, entries: int) -> tuple[Path, Path, Path, dict]:
    work = target_dir() / "peers" / str(entries)
    work.mkdir(parents=True, exist_ok=True)
    jsonl, journal, beancount = work / "window.jsonl", work / "window.journal", work / "window.beancount"
    if not jsonl.exists():
        log(f"generating {entries} entries")
        run([str(release / "fw-bench"), "generate", str(entries), str(jsonl)], stdout=subprocess.DEVNULL)
    log("converting to ledger/hledger and beancount syntax")
    run([str(release / "fw-export"), "hledger", str(jsonl), str(journal)])
    run([str(release / "fw-export"), "beancount", str(jsonl), str(beancount)])
    text = journal.read_text()
    stats = {
        "entries": entries,
        "transactions": sum(1 for line in text.splitlines() if line[:1].isdigit()),
        "postings": sum(1 for line in text.splitlines() if line.startswith("    ")),
        "bytes": {p.name: p.stat().st_size for p in (jsonl, journal, beancount)},
    }
    return jsonl, journal, beancount, stats


def bench(release: Path, bean_check: Path, entries: int) -> str:
    jsonl, journal, beancount, stats = workload(release, entries)
    check_balances(release, jsonl, journal)
    rows: list[tuple[str, str, list[str] | None, bool]] = [
        ("ledger-cli", "`ledger -f window.journal bal`", ["ledger", "-f", str(journal), "bal"], True),
        ("hledger", "`hledger -f window.journal bal`", ["hledger", "-f", str(journal), "bal"], True),
        ("beancount", "`bean-check window.beancount`", [str(bean_check), str(beancount)], True),
        ("funding-window (Rust)", "`fw-bench replay window.jsonl`", [str(release / "fw-bench"), "replay", str(jsonl)], False),
        ("funding-window (Python)", "`Ledger.open(...).trial_balance()`", python_command(jsonl), False),
        ("funding-window (Node)", "`Ledger.fromJournal(...).trialBalance()`", node_command(jsonl), False),
    ]
    results: list[tuple[str, str, tuple[float, float] | str]] = []
    for name, what, cmd, _ in rows:
        if cmd is None:
            results.append((name, what, "not built"))
            continue
        log(f"timing {name}")
        results.append((name, what, timed(cmd)))
    peers = [r for (name, _, r), row in zip(results, rows) if row[3] and isinstance(r, tuple)]
    fastest = min((r[0] for r in peers), default=None)
    lines = [
        f"Workload: {stats['entries']:,} journal entries of `fw-bench generate` "
        f"({stats['transactions']:,} transactions with postings, {stats['postings']:,} postings; "
        + ", ".join(f"{name} {size / 1e6:.1f} MB" for name, size in stats["bytes"].items())
        + ").",
        "",
        "| tool | what runs | wall time (s) | peak memory (MiB) | time / fastest peer |",
        "|---|---|---:|---:|---:|",
    ]
    for name, what, result in results:
        if isinstance(result, str):
            lines.append(f"| {name} | {what} | {result} | | |")
            continue
        wall, rss = result
        ratio = f"{wall / fastest:.2f}" if fastest else "n/a"
        lines.append(f"| {name} | {what} | {wall:.2f} | {rss:.0f} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=100_000, help="journal entries of the workload (100000)")
    parser.add_argument("--also-million", action="store_true", help="run a 1,000,000-entry workload too")
    args = parser.parse_args()
    bean_check = ensure_tools()
    release = build()
    sizes = [args.entries] + ([1_000_000] if args.also_million and args.entries != 1_000_000 else [])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"Measured {now} on {machine()}.",
        "Versions: "
        + "; ".join(
            [
                first_line(["ledger", "--version"]),
                first_line(["hledger", "--version"]),
                f"beancount {BEANCOUNT_VERSION}",
                first_line(["rustc", "--version"]),
            ]
        )
        + ".",
    ]
    for entries in sizes:
        out += ["", bench(release, bean_check, entries)]
    print("\n".join(out))


if __name__ == "__main__":
    main()
