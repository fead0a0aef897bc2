"""Paths of the repository and a small example year built through the Python API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import funding_window as fw

REPO = Path(__file__).resolve().parents[3]
SCENARIOS = REPO / "tests" / "scenarios"
AT = "2025-01-15T09:00:00Z"


def build_year(ledger: fw.Ledger) -> fw.Ledger:
    """A small year: a SEK window contribution earmarked to 2/4, a closed EUR project whose
    balance moves to the window, unearmarked USD, requirements and a gap-pro-rata allocation."""
    meta = {"recorded_at": AT, "recorded_by": "finance officer"}
    ledger.register_donor("SE", "Sweden", "member_state", **meta)
    ledger.register_donor("EU", "European Union", "multilateral", **meta)
    ledger.register_donor("NO", "Norway", "member_state", **meta)
    ledger.set_rate("SEK", "2024-03", Decimal("10.4512"), **meta)
    ledger.set_rate("SEK", "2024-04", Decimal("10.6000"), **meta)
    ledger.set_rate("EUR", "2023-01", Decimal("0.9300"), **meta)
    ledger.set_rate("EUR", "2024-07", Decimal("0.9200"), **meta)
    ledger.sign_agreement("CA-SE-2024-01", "SE", "SEK", Decimal("10000000.00"), "2024-03-12", "0.07", False,
                          earmarked_to=["2/4"], **meta)
    ledger.record_receipt("CA-SE-2024-01", Decimal("5000000.00"), "2024-04-02", "SEB ref 1", **meta)
    ledger.sign_agreement("CA-EU-2023-07", "EU", "EUR", Decimal("2500000.00"), "2023-01-10", "0.07", True,
                          project="P-EU-07", resolution="2/6", **meta)
    ledger.record_receipt("CA-EU-2023-07", Decimal("2200000.00"), "2023-02-01", **meta)
    ledger.record_expenditure(Decimal("1900000.00"), "2024-05-31", project="P-EU-07", **meta)
    ledger.close_project("P-EU-07", "2024-06-30", **meta)
    ledger.transfer_balance("P-EU-07", "2024-07-20", elected_on="2024-07-15",
                            election_ref="donor letter of 15 July 2024", **meta)
    ledger.sign_agreement("CA-NO-2024-01", "NO", "USD", 900000, "2024-02-01", "0.07", False, **meta)
    ledger.record_receipt("CA-NO-2024-01", "900000.00", "2024-02-15", **meta)
    for res, amount in [("2/1", "1200000.00"), ("2/2", "3000000.00"), ("2/4", "1500000.00"),
                        ("2/6", "2000000.00"), ("2/9", "800000.00")]:
        ledger.set_requirement(res, Decimal(amount), **meta)
    ledger.allocate("EB-2024-H2-01", "2024-11-01", Decimal("600000.00"), "gap_pro_rata", ["2/1", "2/2", "2/9"],
                    approved_by="Executive Director", **meta)
    return ledger
