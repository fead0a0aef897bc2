"""A ledger in PostgreSQL, shared by several writers: connect, apply, conflicts and catching up,
typed errors, and the interpreter released while waiting for the database.

Needs a server: ``FW_PG_URL`` as ``make test-postgres`` sets it (tests/postgres/with-server.sh).
Without one these tests are skipped, saying why; under that script (``FW_PG_REQUIRED=1``) a
missing server fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import uuid
from decimal import Decimal
from typing import Any, Dict, List

import pytest

import funding_window as fw

DSN = os.environ.get("FW_PG_URL", "")
if not DSN:
    if os.environ.get("FW_PG_REQUIRED") == "1":
        raise RuntimeError("FW_PG_REQUIRED=1 but FW_PG_URL is unset: run under tests/postgres/with-server.sh")
    pytest.skip("no PostgreSQL server (FW_PG_URL is unset); `make test-postgres` runs these tests", allow_module_level=True)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:12]}"


def donor(d: str, **meta: Any) -> Dict[str, Any]:
    return {"type": "register_donor", "id": d, "name": d, "kind": "other", "recorded_at": "2025-01-15T09:00:00Z", **meta}


def test_a_ledger_in_postgresql_keeps_its_books() -> None:
    name = unique("py-books")
    ledger = fw.Ledger.connect(DSN, ledger=name)
    assert ledger.store == f'postgresql ledger "{name}"' and not ledger.read_only and ledger.path is None
    ledger.register_donor("NO", "Norway", "member_state", recorded_at="2025-01-15T09:00:00Z")
    ledger.sign_agreement("CA-NO-1", "NO", "USD", Decimal("900000.00"), "2024-02-01", "0.07", False,
                          recorded_at="2025-01-15T09:00:00Z")
    ledger.apply_batch([donor("SE"), donor("DK")])
    again = fw.Ledger.connect(DSN, ledger=name)
    assert again.to_journal() == ledger.to_journal()
    assert again.trial_balance().to_json() == ledger.trial_balance().to_json()
    assert again.window_balance()["unallocated"] == Decimal("900000.00")
    # The same journal in a file opens to the same books.
    assert fw.Ledger.from_journal(again.to_journal()).chain_head == ledger.chain_head


def test_a_stale_writer_gets_conflict_then_catches_up() -> None:
    name = unique("py-conflict")
    a = fw.Ledger.connect(DSN, ledger=name)
    b = fw.Ledger.connect(DSN, ledger=name)
    a.apply(donor("SE"))
    before = b.to_journal()
    with pytest.raises(fw.Conflict) as info:
        b.apply(donor("NO", idempotency_key="donor-NO"))
    err = info.value
    assert err.code == "CONFLICT" and err.seq == 1 and err.hash == a.chain_head
    assert err.store == f'postgresql ledger "{name}"'
    with pytest.raises(fw.Conflict):
        b.apply_batch([donor("DK"), donor("FI")])
    assert b.to_journal() == before  # nothing changed, nothing was written
    assert b.refresh() == 1
    first = b.apply(donor("NO", idempotency_key="donor-NO"))
    with pytest.raises(fw.Conflict):
        a.apply(donor("NO", idempotency_key="donor-NO"))
    assert a.refresh() == 1
    again = a.apply(donor("NO", idempotency_key="donor-NO"))  # the retry lands once
    assert again.duplicate and again.seq == first.seq
    assert len(fw.Ledger.connect(DSN, ledger=name)) == 2


# Runs in a child process: a call that kept the interpreter while it waited would hang it, and the
# child is then stopped (printing every thread's stack) instead of the test run. Prints one line per proof.
GIL_SCRIPT = textwrap.dedent(
    r"""
    import faulthandler, os, subprocess, sys, threading, time
    import funding_window as fw

    faulthandler.dump_traceback_later(120, exit=True)
    DSN, NAME = os.environ["FW_PG_URL"], sys.argv[1]

    def donor(d):
        return {"type": "register_donor", "id": d, "name": d, "kind": "other",
                "recorded_at": "2025-01-15T09:00:00Z"}

    def lock(mode):
        # A psql session holding a lock on the journal table until this thread says COMMIT.
        session = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", DSN], text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        session.stdin.write(f"BEGIN;\nLOCK TABLE funding_window.journal IN {mode} MODE;\n\\echo locked\n")
        session.stdin.flush()
        assert session.stdout.readline().strip() == "locked"
        return session

    def release(session):
        session.stdin.write("COMMIT;\n")
        session.stdin.close()
        assert session.wait() == 0

    def waiting_on_a_lock():
        # Backends of this database waiting for a lock: the ledger's, blocked by the session.
        out = subprocess.run(["psql", "-X", "-Atc", "SELECT count(*) FROM pg_stat_activity WHERE "
                              "wait_event_type = 'Lock' AND datname = current_database()", DSN],
                             capture_output=True, text=True, check=True).stdout
        return int(out)

    def until_waiting():
        while waiting_on_a_lock() == 0:
            time.sleep(0.01)

    seed = fw.Ledger.connect(DSN, ledger=NAME)
    seed.apply_batch([donor(f"D{i}") for i in range(10)])

    # 1. Ledger.connect (through `guarded`) reads the journal, which the session has locked even
    #    against reading: the call waits in the database until this thread commits, which needs
    #    the interpreter.
    session = lock("ACCESS EXCLUSIVE")
    opened = {}
    opener = threading.Thread(target=lambda: opened.update(ledger=fw.Ledger.connect(DSN, ledger=NAME)))
    opener.start()
    until_waiting()
    assert opener.is_alive()
    release(session)
    opener.join()
    ledger = opened["ledger"]
    assert len(ledger) == 10 and ledger.chain_head == seed.chain_head
    print("connect: waited for the database while another Python thread ran")

    # 2. apply_batch (through `with_ledger`) inserts its entries, which the session's lock holds
    #    back; a report asked for meanwhile waits for the batch's hold on the ledger. This thread
    #    still runs to see both waiting, then commits.
    session = lock("EXCLUSIVE")
    outcome = {}
    batch = threading.Thread(target=lambda: outcome.update(entries=ledger.apply_batch([donor("NEW1"), donor("NEW2")])))
    batch.start()
    until_waiting()
    report = {}
    reporter = threading.Thread(target=lambda: report.update(csv=ledger.export_csv("trial_balance")))
    reporter.start()
    reporter.join(0.2)
    assert batch.is_alive() and reporter.is_alive(), "the batch or the report did not wait"
    release(session)
    batch.join()
    reporter.join()
    assert len(ledger) == 12 and len(outcome["entries"]) == 2
    assert report["csv"] == ledger.export_csv("trial_balance")
    print("apply_batch: waited for the database while another Python thread ran")
    print("export_csv: waited for the batch without holding the interpreter")
    """
)


def test_the_interpreter_is_released_while_waiting_for_the_database() -> None:
    done = subprocess.run([sys.executable, "-c", GIL_SCRIPT, unique("py-gil")], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    for proof in ("connect:", "apply_batch:", "export_csv:"):
        assert proof in done.stdout, done.stdout


def test_connection_errors_are_typed() -> None:
    with pytest.raises(fw.StoreUnavailable) as info:
        fw.Ledger.connect("host=/nonexistent/fw-no-server user=postgres", ledger="books")
    assert info.value.code == "STORE_UNAVAILABLE" and info.value.store == 'postgresql ledger "books"'
    with pytest.raises(fw.InvalidArgument):
        fw.Ledger.connect("host=/x port=notaport", ledger="books")
    with pytest.raises(fw.InvalidArgument):
        fw.Ledger.connect(DSN, ledger="")


def test_several_threads_and_handles_on_one_ledger_apply_every_command_once() -> None:
    name = unique("py-threads")
    handles = [fw.Ledger.connect(DSN, ledger=name) for _ in range(3)]
    errors: List[BaseException] = []

    def work(w: int) -> None:
        try:
            for i in range(40):
                command = donor(f"W{w}-{i}", idempotency_key=f"w{w}-{i}")
                while True:
                    try:
                        handles[w].apply(command)
                        break
                    except fw.Conflict:
                        handles[w].refresh()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)  # a bound, so that a hang fails rather than blocks the suite
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    final = fw.Ledger.connect(DSN, ledger=name)
    keys = sorted(e["idempotency_key"] for e in final.journal().entries)
    assert keys == sorted(f"w{w}-{i}" for w in range(3) for i in range(40))
