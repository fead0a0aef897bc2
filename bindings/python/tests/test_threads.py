"""A ledger shared between threads stays consistent; the GIL is released during long work.

Every method enters the core through one of two wrappers of `src/ledger.rs`, both of which
release the GIL: `with_ledger` (a ledger's methods: batches, reports, exports, the journal's
columns) and `guarded` (the constructors: `open`, `connect`, `from_journal`). That they do is
shown without any timing in `test_postgres.py`: there the native call is made to wait, inside
Rust, for a database lock that only another Python thread can release. (A journal file cannot
be made to wait: a path that is not a regular file, such as a named pipe, is refused at once.)
"""

from __future__ import annotations

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
