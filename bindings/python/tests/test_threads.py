"""The GIL is released during long work, and a ledger shared between threads stays consistent."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any, Callable, Dict, List

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


def progress_while(work: Callable[[], Any]) -> int:
    """How many times this thread gets to run a Python loop while ``work`` runs in another thread."""
    thread = threading.Thread(target=work)
    thread.start()
    count = 0
    while thread.is_alive():
        count += 1
    thread.join()
    return count


def test_batches_replays_and_reports_release_the_gil() -> None:
    ledger = funded()
    batch = receipts(60_000)
    # Holding the GIL, the native call would leave this thread no chance to run at all.
    assert progress_while(lambda: ledger.apply_batch(batch)) > 10_000
    text = ledger.to_journal()
    assert progress_while(lambda: fw.Ledger.from_journal(text)) > 10_000
    journal = ledger.journal()
    assert progress_while(lambda: journal._snapshot.column_data()) > 1_000


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


def test_a_report_waits_for_a_running_batch() -> None:
    ledger = funded()
    batch = receipts(30_000)
    thread = threading.Thread(target=lambda: ledger.apply_batch(batch))
    thread.start()
    time.sleep(0.01)
    seen = ledger.balance("assets:cash:USD")  # either before or after the batch, never half of it
    thread.join()
    assert seen in (Decimal("0.00"), Decimal("30000.00"))
