"""The GIL is released during long work, and a ledger shared between threads stays consistent.

The GIL is shown released without any timing: the native call is made to wait, inside Rust,
for something only another Python thread can do (write a journal into a pipe, read entries
out of one). Holding the GIL while it waits, the call could never finish: the other thread
would never run. Such a deadlock would hang the interpreter, so those checks run in a child
process, which `faulthandler` stops (printing every thread's stack) if it ever deadlocks.

Every method enters the core through one of two wrappers of `src/ledger.rs`, both of which
release the GIL: `with_ledger` (a ledger's methods: batches, reports, exports, the journal's
columns) and `guarded` (the constructors: `open`, `from_journal`); the child process puts
each to the test.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from decimal import Decimal
from typing import Any, Dict, List

import pytest

import funding_window as fw


def receipts(n: int) -> List[Dict[str, Any]]:
    return [
        {"type": "record_receipt", "agreement": "CA-1", "amount": Decimal("1.00"), "received_on": "2024-02-01",
         "recorded_at": "2025-01-15T09:00:00Z"}
        for _ in range(n)
    ]


def funded() -> fw.Ledger:
    ledger = fw.Ledger()
    ledger.register_donor("NO", "Norway", "member_state")
    ledger.sign_agreement("CA-1", "NO", "USD", Decimal("100000000.00"), "2024-01-01", "0.07", False)
    return ledger


# Runs in a child process (see the module's docstring). Prints one line per proof.
GIL_SCRIPT = textwrap.dedent(
    r"""
    import fcntl, faulthandler, os, select, sys, tempfile, threading
    from decimal import Decimal

    import funding_window as fw

    # A deadlock (the GIL held while the native call waits) ends the process with every stack.
    faulthandler.dump_traceback_later(240, exit=True)

    def receipt():
        return {"type": "record_receipt", "agreement": "CA-1", "amount": Decimal("1.00"),
                "received_on": "2024-02-01", "recorded_at": "2025-01-15T09:00:00Z"}

    source = fw.Ledger()
    source.register_donor("NO", "Norway", "member_state")
    source.sign_agreement("CA-1", "NO", "USD", Decimal("100000000.00"), "2024-01-01", "0.07", False)
    source.apply_batch([receipt() for _ in range(200)])
    journal = source.to_journal().encode()

    workdir = tempfile.TemporaryDirectory()  # removed when the process ends
    fifo = os.path.join(workdir.name, "journal.jsonl")
    os.mkfifo(fifo)

    # 1. Ledger.open replays a journal from a pipe. Opening the pipe's writing end below returns
    #    only once the native call has opened its reading end; from then on the call waits in
    #    Rust for bytes that this thread must write, which needs the GIL.
    opened = {}
    opener = threading.Thread(target=lambda: opened.update(ledger=fw.Ledger.open(fifo)))
    opener.start()
    with open(fifo, "wb") as writer:
        writer.write(journal)
    # The opened ledger appends to its file: it opens the pipe for writing, which waits for a reader.
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    opener.join()
    ledger = opened["ledger"]
    assert len(ledger) == 202 and ledger.chain_head == source.chain_head
    print("open: replayed", len(ledger), "entries written by another Python thread during the call")

    # 2. apply_batch writes its entries to the pipe, whose capacity is made one page: the call
    #    waits in Rust until this thread reads them out. Reading more than the capacity means
    #    this thread ran while the batch was under way.
    capacity = fcntl.fcntl(reader, 1031, 4096)  # F_SETPIPE_SZ
    outcome = {}

    def work():
        try:
            ledger.apply_batch([receipt() for _ in range(20000)])
        except fw.LedgerError as err:
            outcome["error"] = err

    batch = threading.Thread(target=work)
    batch.start()
    read = 0
    while read <= 2 * capacity:
        select.select([reader], [], [])  # until the batch writes
        read += len(os.read(reader, 1 << 16))

    # 3. A report asked for now waits for the batch's lock; the batch cannot finish until this
    #    thread reads megabytes more out of the pipe. Waiting for the lock with the GIL held,
    #    the report would stop this thread for good.
    report = {}
    asked = threading.Event()

    def ask():
        asked.set()
        report["csv"] = ledger.export_csv("trial_balance")

    reporter = threading.Thread(target=ask)
    reporter.start()
    asked.wait()
    while True:
        ready, _, _ = select.select([reader], [], [], 0.05)
        if ready:
            read += len(os.read(reader, 1 << 16))
        elif not batch.is_alive():
            break
    batch.join()
    reporter.join()
    assert read > capacity, (read, capacity)
    # A pipe cannot be synced to disk: the batch fails as a whole and the ledger is unchanged,
    # which is all the report saw.
    assert type(outcome.get("error")) is fw.IoError, outcome
    assert len(ledger) == 202 and ledger.chain_head == source.chain_head
    assert report["csv"] == source.export_csv("trial_balance")
    print("apply_batch: read", read, "bytes of a pipe of", capacity, "while the batch was written")
    print("export_csv: waited for the batch without holding the GIL")
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="named pipes and F_SETPIPE_SZ are Linux's")
def test_replay_batches_and_reports_release_the_gil_while_they_wait() -> None:
    done = subprocess.run([sys.executable, "-c", GIL_SCRIPT], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "open: replayed 202 entries" in done.stdout
    assert "apply_batch: read" in done.stdout
    assert "export_csv: waited" in done.stdout


def test_threads_sharing_a_ledger_queue_up() -> None:
    ledger = funded()
    errors: List[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                ledger.apply_batch(receipts(50))
                ledger.trial_balance()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(ledger) == 2 + 4 * 20 * 50
    assert ledger.balance("assets:cash:USD") == Decimal("4000.00")
    replayed = fw.Ledger.from_journal(ledger.to_journal())
    assert replayed.chain_head == ledger.chain_head


def test_a_report_sees_a_running_batch_whole_or_not_at_all() -> None:
    ledger = funded()
    converted = threading.Event()

    def commands() -> Any:
        yield from receipts(30_000)
        converted.set()  # the batch's last command has been read: the native call goes on alone

    thread = threading.Thread(target=lambda: ledger.apply_batch(commands()))
    thread.start()
    converted.wait()
    seen = ledger.balance("assets:cash:USD")  # either before or after the batch, never half of it
    thread.join()
    assert seen in (Decimal("0.00"), Decimal("30000.00"))
    assert ledger.balance("assets:cash:USD") == Decimal("30000.00")
