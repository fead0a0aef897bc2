"""funding_window: the exact books of UN-Habitat's urban action funding window.

A pooled fund receives donor contributions and leftover project balances and allocates
money to the 15 UN-Habitat Assembly resolutions. The ledger (a Rust core) keeps
double-entry books per currency with exact decimals, an append-only hash-chained journal,
and the reports finance teams need; this package wraps it for Python and Jupyter.

>>> from decimal import Decimal
>>> import funding_window as fw
>>> ledger = fw.Ledger()
>>> _ = ledger.register_donor("NO", "Norway", "member_state")
>>> _ = ledger.sign_agreement("CA-NO-1", "NO", "USD", Decimal("900000.00"), "2024-02-01", "0.07", False)
>>> _ = ledger.set_requirement("2/2", Decimal("2000000.00"))
>>> _ = ledger.allocate("EB-1", "2024-11-01", Decimal("300000.00"), "equal", ["2/2", "2/9"],
...                     approved_by="Executive Director")
>>> tracker = ledger.resolution_tracker("2024-H2")
>>> row = next(r for r in tracker.rows if r["resolution"] == "2/2")
>>> row["allocated_in_period"], row["gap"], row["gap_pct"]
(Decimal('150000.00'), Decimal('1850000.00'), Decimal('92.50'))

Money is ``decimal.Decimal``, ``int`` or a decimal string; a ``float`` raises ``TypeError``
(:class:`CommandTypeError`, code ``INVALID_COMMAND``). Errors are :class:`LedgerError`
subclasses, one per code of the core. Reports and exports (CSV, IATI 2.03 XML, hledger
journals) are the core's bytes: :meth:`Ledger.export_csv`, :meth:`Ledger.export_iati`,
:meth:`Ledger.export_hledger`, and ``report.to_csv()``.

The specification (every command and what it refuses, posting rules, reports, periods,
limits, error codes, the journal format) is in ``docs/`` of the repository, starting at
``docs/README.md``.
"""

from __future__ import annotations

import collections.abc as _abc
from typing import Any

from . import _native, contract
from ._native import (
    AMOUNT_KEYS,
    AMOUNT_TABLE_KEYS,
    COMMAND_TYPES,
    DATE_KEYS,
    DECIMAL_FIELDS,
    DECIMAL_TABLE_FIELDS,
    ERROR_CODES,
    Applied,
    AppliedBatch,
    command_to_json,
)
from .errors import *  # noqa: F403 - one class per error code
from .errors import ERROR_CLASSES, LedgerError, _register_missing
from ._sheets import SheetColumn, read_commands, sheet_columns, write_template
from .ledger import Amount, DateLike, Ledger, PeriodLike, Timestamp
from .reports import (
    AllocationLog,
    AllocationPreview,
    CsvReport,
    DonorStatement,
    Journal,
    Report,
    ResolutionTracker,
    Table,
    TableReport,
    TransferRegister,
    TrialBalance,
    WindowStatement,
)

__version__: str = _native.__version__


def __getattr__(name: str) -> Any:
    # The pandas dtype of exact money columns, imported on first use: pandas is optional.
    if name in ("DecimalDtype", "DecimalArray"):
        from . import _decimal

        return getattr(_decimal, name)
    raise AttributeError(f"module 'funding_window' has no attribute {name!r}")

# The results of a batch behave as a read-only sequence of Applied.
_abc.Sequence.register(AppliedBatch)

# A code the core gained after these classes were written still gets a class of its own
# (tests/test_errors.py requires every code to have an explicit one).
_MISSING_ERROR_CLASSES = _register_missing(ERROR_CODES)

__all__ = [
    "Ledger",
    "Applied",
    "AppliedBatch",
    "Amount",
    "DateLike",
    "Timestamp",
    "PeriodLike",
    "contract",
    "Report",
    "TableReport",
    "CsvReport",
    "Table",
    "TrialBalance",
    "ResolutionTracker",
    "WindowStatement",
    "DonorStatement",
    "TransferRegister",
    "AllocationLog",
    "AllocationPreview",
    "Journal",
    "SheetColumn",
    "sheet_columns",
    "write_template",
    "read_commands",
    "LedgerError",
    "ERROR_CLASSES",
    "ERROR_CODES",
    "COMMAND_TYPES",
    "DECIMAL_FIELDS",
    "DECIMAL_TABLE_FIELDS",
    "AMOUNT_KEYS",
    "AMOUNT_TABLE_KEYS",
    "DATE_KEYS",
    "command_to_json",
    "__version__",
    # errors: one class per error code (listed again here, not taken from errors.__all__,
    # because the type checker and stubtest read __all__ statically)
    "class_name_for_code",
    "CommandTypeError",
    "ArgumentTypeError",
    # <generated: error names> (cargo run -p funding-window-codegen)
    "InvalidCommand",
    "InvalidArgument",
    "InvalidAmount",
    "PrecisionExceeded",
    "AmountTooLarge",
    "InvalidRate",
    "UnknownCurrency",
    "CurrencyMismatch",
    "MissingRate",
    "RateAlreadySet",
    "InvalidId",
    "DuplicateId",
    "UnknownDonor",
    "UnknownAgreement",
    "UnknownProject",
    "UnknownResolution",
    "UnknownEntry",
    "UnknownAccount",
    "InsufficientFunds",
    "ExceedsOutstanding",
    "EarmarkViolation",
    "TransferNotElected",
    "NoTransferClause",
    "ProjectNotClosed",
    "ProjectClosed",
    "ProjectWithdrawn",
    "NoBalance",
    "PeriodClosed",
    "DateOutOfOrder",
    "InvalidAllocation",
    "NoFundingGap",
    "AlreadyReversed",
    "NotReversible",
    "IdempotencyConflict",
    "ApprovalRequired",
    "LimitExceeded",
    "JournalCorrupt",
    "JournalTornTail",
    "JournalLocked",
    "ReadOnly",
    "Conflict",
    "StoreUnavailable",
    "Internal",
    "IoError",
    "OutOfMemory",
    "LedgerBusy",
    "LedgerFreed",
    # </generated: error names>
]
