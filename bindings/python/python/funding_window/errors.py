"""Exceptions raised by the ledger: one class per error code of the core.

Every failure the core reports is a :class:`LedgerError` (a ``ValueError``) of the class
named after its code (``INSUFFICIENT_FUNDS`` -> :class:`InsufficientFunds`, ``IO_ERROR`` ->
:class:`IoError`). Each exception carries:

* ``code``: the core's code string, the same in every front end;
* ``message``: the core's message;
* ``details``: a dict of the offending values, exactly as the core reports them
  (amounts as decimal strings, entry numbers as ints);
* each detail also as an attribute (``err.available``, ``err.requested``, ...);
* ``index``: for a failed ``apply_batch``, the position of the failing command (else ``None``).

A failed ``apply`` or ``apply_batch`` changes nothing in the ledger.

Python values that have no faithful JSON form (a ``float`` amount, a ``bool`` where money
belongs, a naive ``datetime``) are refused before the core sees them, with the code the core
and the WebAssembly binding use for the same mistake, in a class that is also a ``TypeError``:
:class:`CommandTypeError` (``INVALID_COMMAND``, a subclass of :class:`InvalidCommand`) in a
command, :class:`ArgumentTypeError` (``INVALID_ARGUMENT``, a subclass of
:class:`InvalidArgument`) in a method's argument.

>>> import funding_window as fw
>>> try:
...     fw.Ledger().record_receipt(agreement="CA-NONE", amount="5.00", received_on="2024-01-02")
... except fw.UnknownAgreement as err:
...     (err.code, err.agreement)
('UNKNOWN_AGREEMENT', 'CA-NONE')
>>> try:
...     fw.Ledger().record_receipt(agreement="CA-NONE", amount=5.0, received_on="2024-01-02")
... except TypeError as err:
...     (type(err).__name__, err.code, isinstance(err, fw.InvalidCommand))
('CommandTypeError', 'INVALID_COMMAND', True)
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Mapping, Optional, Type

__all__ = [
    "LedgerError",
    "ERROR_CLASSES",
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

# Attribute names an exception already has; details never overwrite them.
_RESERVED = frozenset({"code", "details", "index", "args", "message", "with_traceback", "add_note"})


class LedgerError(ValueError):
    """A failure reported by the ledger core; the subclass names its code."""

    code: ClassVar[str] = ""
    message: str
    details: Dict[str, Any]
    index: Optional[int]

    def __init__(
        self,
        message: str,
        details: Optional[Mapping[str, Any]] = None,
        index: Optional[int] = None,
        text: Optional[str] = None,
    ) -> None:
        # ``text`` is what str() shows: the core's message, naming the command of a batch by
        # its 0-based index (``command 1 of the batch (counting from 0): ...``).
        super().__init__(message if text is None else text)
        self.message = message
        self.details = dict(details or {})
        self.details.pop("code", None)
        self.details.pop("message", None)
        self.index = index
        for name, value in self.details.items():
            if name not in _RESERVED:
                setattr(self, name, value)

    def __reduce__(self) -> Any:
        return (_rebuild, (self.code, self.message, self.details, self.index, isinstance(self, TypeError), str(self)))


def _rebuild(
    code: str,
    message: str,
    details: Dict[str, Any],
    index: Optional[int],
    type_error: bool = False,
    text: Optional[str] = None,
) -> LedgerError:
    if type_error:
        return _TYPE_ERROR_CLASSES.get(code, CommandTypeError)(message, details, index, text)
    return ERROR_CLASSES.get(code, LedgerError)(message, details, index, text)


# One class per code of the core (funding_window.ERROR_CODES), in the core's order; the
# annotations name the details each carries. Written from the core's description of its
# errors (docstrings are the core's doc comments).
# <generated: error classes> (cargo run -p funding-window-codegen)


class InvalidCommand(LedgerError):
    """The command is not well-formed JSON of the contract (unknown type or field, missing field, wrong JSON type)."""

    code = "INVALID_COMMAND"


class InvalidArgument(LedgerError):
    """An argument of a library call (not a command field) is malformed."""

    code = "INVALID_ARGUMENT"
    name: str
    value: str
    reason: str


class InvalidAmount(LedgerError):
    """A decimal string is not a plain decimal (exponent, NaN, sign, spaces) or an amount is not positive."""

    code = "INVALID_AMOUNT"
    field: str
    value: str
    reason: str


class PrecisionExceeded(LedgerError):
    """An amount has more decimals than its currency's minor unit."""

    code = "PRECISION_EXCEEDED"
    field: str
    value: str
    currency: str
    minor_unit: int


class AmountTooLarge(LedgerError):
    """An amount is larger than the ledger accepts, or a computation on it would leave exact arithmetic."""

    code = "AMOUNT_TOO_LARGE"
    field: str
    value: str
    max_integer_digits: int


class InvalidRate(LedgerError):
    """A rate or weight is out of range or too precise."""

    code = "INVALID_RATE"
    field: str
    value: str
    reason: str


class UnknownCurrency(LedgerError):
    """The currency code is not an ISO 4217 currency the ledger knows."""

    code = "UNKNOWN_CURRENCY"
    currency: str


class CurrencyMismatch(LedgerError):
    """A command names a currency other than the one of the agreement it concerns."""

    code = "CURRENCY_MISMATCH"
    expected: str
    found: str


class MissingRate(LedgerError):
    """No UNORE rate is recorded for the currency and month a conversion needs."""

    code = "MISSING_RATE"
    currency: str
    month: str


class RateAlreadySet(LedgerError):
    """A rate for this currency and month is already recorded."""

    code = "RATE_ALREADY_SET"
    currency: str
    month: str


class InvalidId(LedgerError):
    """An id is empty, too long or has characters an account name cannot hold."""

    code = "INVALID_ID"
    kind: str
    id: str
    reason: str


class DuplicateId(LedgerError):
    """An id is already taken."""

    code = "DUPLICATE_ID"
    kind: str
    id: str


class UnknownDonor(LedgerError):
    """No donor with this id."""

    code = "UNKNOWN_DONOR"
    donor: str


class UnknownAgreement(LedgerError):
    """No agreement with this id."""

    code = "UNKNOWN_AGREEMENT"
    agreement: str


class UnknownProject(LedgerError):
    """No project with this id."""

    code = "UNKNOWN_PROJECT"
    project: str


class UnknownResolution(LedgerError):
    """No resolution with this id."""

    code = "UNKNOWN_RESOLUTION"
    resolution: str


class UnknownEntry(LedgerError):
    """No journal entry with this sequence number."""

    code = "UNKNOWN_ENTRY"
    entry: int


class UnknownAccount(LedgerError):
    """No account with this name has ever been posted to."""

    code = "UNKNOWN_ACCOUNT"
    account: str


class InsufficientFunds(LedgerError):
    """A fund holds less than the operation takes."""

    code = "INSUFFICIENT_FUNDS"
    account: str
    currency: str
    available: str
    requested: str


class ExceedsOutstanding(LedgerError):
    """A receipt exceeds what is still outstanding on its agreement."""

    code = "EXCEEDS_OUTSTANDING"
    agreement: str
    currency: str
    outstanding: str
    amount: str


class EarmarkViolation(LedgerError):
    """Soft-earmarked window money was directed to a resolution outside its earmark."""

    code = "EARMARK_VIOLATION"
    earmarked_to: str
    resolution: str


class TransferNotElected(LedgerError):
    """A balance transfer has no recorded election (date and reference) by the donor."""

    code = "TRANSFER_NOT_ELECTED"
    project: str


class NoTransferClause(LedgerError):
    """A balance transfer on an agreement without the elective-transfer clause."""

    code = "NO_TRANSFER_CLAUSE"
    project: str
    agreement: str


class ProjectNotClosed(LedgerError):
    """The operation needs a closed project."""

    code = "PROJECT_NOT_CLOSED"
    project: str


class ProjectClosed(LedgerError):
    """The operation needs an open project."""

    code = "PROJECT_CLOSED"
    project: str


class ProjectWithdrawn(LedgerError):
    """The project's agreement had its signing reversed: the project is withdrawn, and every later command on it (spending, closing, a transfer or refund, a receipt on its agreement) gets this one code."""

    code = "PROJECT_WITHDRAWN"
    project: str
    agreement: str
    reversed_by: int


class NoBalance(LedgerError):
    """A closed project has no balance left to transfer or refund."""

    code = "NO_BALANCE"
    project: str


class PeriodClosed(LedgerError):
    """The value date falls in a closed period."""

    code = "PERIOD_CLOSED"
    period: str
    date: str


class DateOutOfOrder(LedgerError):
    """A date comes before an event it must follow (a receipt before signing, ...)."""

    code = "DATE_OUT_OF_ORDER"
    what: str
    date: str
    earliest: str


class InvalidAllocation(LedgerError):
    """An allocation's shares, weights or candidates do not fit its policy."""

    code = "INVALID_ALLOCATION"
    reason: str


class NoFundingGap(LedgerError):
    """A gap-pro-rata allocation over resolutions whose funding gaps are all zero."""

    code = "NO_FUNDING_GAP"
    resolutions: List[str]


class AlreadyReversed(LedgerError):
    """The entry has already been reversed."""

    code = "ALREADY_REVERSED"
    entry: int
    reversed_by: int


class NotReversible(LedgerError):
    """The entry cannot be reversed (a reversal, a registration, or later activity depends on it)."""

    code = "NOT_REVERSIBLE"
    entry: int
    reason: str


class IdempotencyConflict(LedgerError):
    """The idempotency key was used before with different content."""

    code = "IDEMPOTENCY_CONFLICT"
    key: str
    entry: int


class ApprovalRequired(LedgerError):
    """The four-eyes policy requires an approver distinct from the recorder."""

    code = "APPROVAL_REQUIRED"
    command: str
    reason: str


class LimitExceeded(LedgerError):
    """A named limit (see `crate::limits`) was exceeded."""

    code = "LIMIT_EXCEEDED"
    limit: str
    max: int
    actual: int


class JournalCorrupt(LedgerError):
    """A journal line is malformed, altered, or does not replay to itself."""

    code = "JOURNAL_CORRUPT"
    line: int
    entry: int
    reason: str


class JournalTornTail(LedgerError):
    """The journal ends in an incomplete line (a write interrupted by a crash)."""

    code = "JOURNAL_TORN_TAIL"
    line: int
    offset: int
    bytes: int


class JournalLocked(LedgerError):
    """Another writer holds the journal file: one writer per journal. The file is untouched. Open it read-only, or wait until that writer has closed it."""

    code = "JOURNAL_LOCKED"
    path: str


class ReadOnly(LedgerError):
    """The ledger was opened read-only: it takes in what its writer appends (`refresh`), and records nothing itself."""

    code = "READ_ONLY"
    store: str


class Conflict(LedgerError):
    """Another writer appended to the shared journal first: nothing was written. Catch up (`refresh`), which verifies what the others appended, then retry the command; with an idempotency key it lands once however often it is retried."""

    code = "CONFLICT"
    store: str
    seq: int
    hash: str


class StoreUnavailable(LedgerError):
    """The journal's store cannot be reached (connection refused or lost, server shut down). Nothing was changed in this ledger; the handle reconnects on its next call. If the connection was lost while committing, the command may have been stored: catch up (`refresh`), then retry it with its idempotency key."""

    code = "STORE_UNAVAILABLE"
    store: str


class Internal(LedgerError):
    """An internal consistency check failed. This is a defect; nothing was changed."""

    code = "INTERNAL"


class IoError(LedgerError):
    """Reading or writing the journal file failed."""

    code = "IO_ERROR"
    path: str


class OutOfMemory(LedgerError):
    """Memory ran out before the operation could grow one of the ledger's large buffers (the journal, its index, a batch's commands or results); nothing was changed. In WebAssembly, whose memory is at most 4 GiB, this bounds an in-memory ledger's size."""

    code = "OUT_OF_MEMORY"
    what: str
    bytes: int


class LedgerBusy(LedgerError):
    """A call on a ledger was made while another call on the same ledger was under way (from a getter of a command, or a callback the call ran): refused, nothing was changed. Only the WebAssembly binding can see this: elsewhere calls on a ledger wait for each other."""

    code = "LEDGER_BUSY"
    method: str


class LedgerFreed(LedgerError):
    """A call on a ledger whose memory was released (`free()` in JavaScript). Only the WebAssembly binding can see this."""

    code = "LEDGER_FREED"
    method: str

# </generated: error classes>


def class_name_for_code(code: str) -> str:
    """The class name of an error code: ``INSUFFICIENT_FUNDS`` -> ``InsufficientFunds``."""
    return "".join(part.capitalize() for part in code.split("_"))


#: Error code -> class, for every class defined above.
ERROR_CLASSES: Dict[str, Type[LedgerError]] = {cls.code: cls for cls in LedgerError.__subclasses__()}


def _register_missing(codes: "tuple[str, ...] | list[str]") -> List[str]:
    """Gives a class to every core code without one, so that no error loses its code.

    Returns the codes that had none (the test suite requires this to be empty).
    """
    missing = [code for code in codes if code not in ERROR_CLASSES]
    for code in missing:
        name = class_name_for_code(code)
        cls = type(name, (LedgerError,), {"code": code, "__doc__": f"Core error {code}.", "__module__": __name__})
        ERROR_CLASSES[code] = cls
        globals()[name] = cls
    return missing


# Python values refused by the binding: the core's code for the same mistake, and a TypeError.
# (Subclasses of a code's class, so ERROR_CLASSES, made of LedgerError's direct subclasses,
# keeps one class per code.)


class CommandTypeError(InvalidCommand, TypeError):
    """A command holds a Python value with no faithful JSON form: a ``float`` anywhere, a ``bool``
    or another non-money type where money belongs, a ``Decimal`` outside a money field, a
    ``datetime`` where a date belongs, a naive ``datetime`` as ``recorded_at``, a non-dict command.

    Code ``INVALID_COMMAND`` (what the core says of a JSON number where an amount belongs, and
    the WebAssembly binding of a JavaScript number); also a ``TypeError``.
    """


class ArgumentTypeError(InvalidArgument, TypeError):
    """A method's argument has a Python type that cannot stand for it (a period that is not a
    ``str``, a ``datetime`` where a date belongs, a naive ``datetime`` as a timestamp).

    Code ``INVALID_ARGUMENT`` with ``name``, ``value`` (the Python type) and ``reason``; also a
    ``TypeError``.
    """


_TYPE_ERROR_CLASSES: Dict[str, Type[LedgerError]] = {
    InvalidCommand.code: CommandTypeError,
    InvalidArgument.code: ArgumentTypeError,
}


def _type_error_from_core(
    details: Dict[str, Any], index: Optional[int] = None, text: Optional[str] = None
) -> LedgerError:
    """The exception for a Python value the binding refused, as the core error ``details`` (used
    by the native module; ``text``: the core's message for command ``index`` of a batch)."""
    cls = _TYPE_ERROR_CLASSES.get(str(details.get("code", "")), CommandTypeError)
    return cls(str(details.get("message", "")), details, index, text)


def _from_core(details: Dict[str, Any], index: Optional[int] = None, text: Optional[str] = None) -> LedgerError:
    """The exception for a core error's JSON form ``{"code", "message", ...}`` (used by the
    native module; ``text``: the core's message for command ``index`` of a batch)."""
    code = str(details.get("code", ""))
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        cls = ERROR_CLASSES[_register_missing([code])[0]] if code else LedgerError
    return cls(str(details.get("message", code)), details, index, text)
