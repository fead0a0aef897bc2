"""The :class:`Ledger`: the funding window's books, kept by the Rust core.

Commands are the dicts of the JSON contract (``docs/commands.md`` in the repository), or
the keyword methods that build them (:meth:`Ledger.sign_agreement`, :meth:`Ledger.allocate`,
...). Amounts are ``decimal.Decimal``, ``int`` or decimal strings, never ``float``; dates
are ``datetime.date`` or ``"YYYY-MM-DD"``. Every method that records something accepts the
keyword-only ``idempotency_key``, ``recorded_by`` and ``recorded_at`` (a timezone-aware
``datetime`` or an RFC 3339 string; the clock when absent).

>>> from decimal import Decimal
>>> import funding_window as fw
>>> ledger = fw.Ledger()
>>> _ = ledger.register_donor("NO", "Norway", "member_state")
>>> _ = ledger.sign_agreement("CA-NO-1", donor="NO", currency="USD", amount=Decimal("900000.00"),
...                           signed_on="2024-02-01", psc_rate="0.07", elective_transfer=False)
>>> ledger.window_balance()["unallocated"]
Decimal('900000.00')
"""

from __future__ import annotations

import datetime as _dt
import os
from decimal import Decimal
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple, Union

from . import _native
from ._commands import CommandMethods
from ._native import Applied, AppliedBatch
from .contract import Amount, Command, DateLike, PeriodLike, Timestamp
from .reports import (
    AllocationLog,
    AllocationPreview,
    DonorStatement,
    Journal,
    ResolutionTracker,
    Table,
    TransferRegister,
    TrialBalance,
    WindowStatement,
)

__all__ = ["Ledger", "Applied", "Amount", "DateLike", "Timestamp", "PeriodLike"]

#: A file path.
PathLike = Union[str, "os.PathLike[str]"]


def _period_option(period: Any) -> Any:
    """A period given to :meth:`Ledger.export_csv` as the core takes it: a ``(from, to)`` pair
    becomes a ``{"from", "to"}`` dict, ``datetime.date`` ends their ISO text (the core checks the rest)."""
    if isinstance(period, (tuple, list)) and len(period) == 2:
        period = {"from": period[0], "to": period[1]}
    if isinstance(period, Mapping):
        return {
            k: v.isoformat() if isinstance(v, _dt.date) and not isinstance(v, _dt.datetime) else v
            for k, v in period.items()
        }
    return period


class Ledger(CommandMethods):
    """The books of the urban action funding window (USD reporting; the 15 resolutions registered).

    ``Ledger()`` is in memory; :meth:`open` and :meth:`create` keep the journal in a file
    (JSON Lines) that every applied command is appended to, one writer per file;
    :meth:`connect` keeps it in PostgreSQL, shared by several writers; :meth:`save` writes
    the whole journal to a file. A failed :meth:`apply` or :meth:`apply_batch` changes nothing.
    Long work (batches, replay, reports) runs with the GIL released; a ledger may be shared
    between threads (calls on it are serialized).
    """

    __slots__ = ("_native",)

    def __init__(self) -> None:
        self._native = _native.Ledger()

    @classmethod
    def _wrap(cls, native: _native.Ledger) -> Ledger:
        ledger = cls.__new__(cls)
        ledger._native = native
        return ledger

    # ----- files and journal -----------------------------------------------------------------

    @classmethod
    def open(cls, path: PathLike, *, read_only: bool = False) -> Ledger:
        """Opens a journal file, replaying and verifying every entry (hash chain and bytes).

        New entries are appended to the file, which this ledger holds locked while it lives
        (one writer per journal): a second writer, in this process or another, gets
        :class:`~funding_window.JournalLocked` and the file is untouched. With
        ``read_only=True`` no lock is taken, commands raise :class:`~funding_window.ReadOnly`,
        and :meth:`refresh` takes in what the writer appended since.

        Raises :class:`~funding_window.JournalCorrupt` for an altered file and
        :class:`~funding_window.JournalTornTail` for a file whose last write was interrupted
        (see :meth:`recover`); a path that is not a regular file is :class:`~funding_window.IoError`.
        """
        return cls._wrap(_native.Ledger.open(path, read_only))

    @classmethod
    def connect(cls, dsn: str, ledger: str) -> Ledger:
        """Opens the ledger named ``ledger`` in a PostgreSQL database, shared with other writers.

        ``dsn`` is a connection string (``"host=/run/postgresql dbname=books"``) or a
        ``postgresql://`` URL. The tables and the ledger are created when missing; the journal
        is read and verified as :meth:`open` does. Each command is appended only if no other
        writer appended first; otherwise :class:`~funding_window.Conflict` (with the store's
        ``seq`` and ``hash``) and nothing is written: call :meth:`refresh`, then apply the
        command again (with an ``idempotency_key`` it lands once). A lost connection is
        :class:`~funding_window.StoreUnavailable`; the next call reconnects. The interpreter
        is released while waiting for the database.

        Several named ledgers can live in one database.
        """
        return cls._wrap(_native.Ledger.connect(dsn, ledger))

    def refresh(self) -> int:
        """Takes in what other writers appended since; returns the number of entries taken in.

        What was appended is verified as :meth:`open` verifies it; if it does not verify,
        nothing is taken in. A ledger opened read-only follows its file's writer this way;
        one on PostgreSQL catches up after a :class:`~funding_window.Conflict`.
        """
        return self._native.refresh()

    @property
    def read_only(self) -> bool:
        """Whether the ledger was opened read-only (commands raise :class:`~funding_window.ReadOnly`)."""
        return self._native.read_only

    @property
    def store(self) -> str:
        """Where the journal is kept: a file's path, ``postgresql ledger "name"``, or ``<memory>``."""
        return self._native.store

    @classmethod
    def create(cls, path: PathLike) -> Ledger:
        """Creates a new journal file (never overwriting one) and a ledger appending to it."""
        return cls._wrap(_native.Ledger.create(path))

    @classmethod
    def recover(cls, path: PathLike) -> Tuple[Ledger, Dict[str, Any]]:
        """Opens a journal file, cutting off a torn tail; returns the ledger and what was dropped."""
        native, recovery = _native.Ledger.recover(path)
        return cls._wrap(native), recovery

    @classmethod
    def from_journal(cls, journal: Union[str, bytes, bytearray, memoryview]) -> Ledger:
        """Rebuilds an in-memory ledger from a journal, verifying it: its text (:meth:`to_journal`)
        or its bytes as read from a file (``Path(...).read_bytes()``), which go to the core as
        they are (a line that is not UTF-8 is :class:`~funding_window.JournalCorrupt` at that line).

        Anything else is :class:`~funding_window.ArgumentTypeError`.
        """
        return cls._wrap(_native.Ledger.from_journal(journal))

    def save(self, path: PathLike) -> None:
        """Writes the whole journal to ``path`` atomically (temporary file, then rename).

        A path another ledger is writing to raises :class:`~funding_window.JournalLocked`
        and is left as it was.
        """
        self._native.save(path)

    def to_journal(self) -> str:
        """The journal as JSON Lines, exactly as :meth:`save` writes it."""
        return self._native.to_journal()

    @property
    def chain_head(self) -> str:
        """SHA-256 of the last journal entry (64 zeros for an empty journal)."""
        return self._native.chain_head

    @property
    def path(self) -> Optional[str]:
        """The journal file the ledger appends to, if any."""
        return self._native.path

    def __len__(self) -> int:
        return len(self._native)

    def __repr__(self) -> str:
        return repr(self._native)

    def __reduce__(self) -> Any:
        # Pickles as its journal: the copy replays to the same state (not attached to a file).
        return (Ledger.from_journal, (self.to_journal(),))

    # ----- commands ----------------------------------------------------------------------------

    def apply(self, command: Union[Command, str]) -> Applied:
        """Applies one command of the contract; returns the journal entry it made.

        ``command`` is a dict (amounts ``Decimal``/``int``/``str``, dates ``date``/``str``;
        typed by :data:`funding_window.contract.Command`) or the command's JSON text. On error nothing changes and a
        :class:`~funding_window.LedgerError` subclass is raised; Python values that have no
        place in the contract, such as a ``float``, raise
        :class:`~funding_window.CommandTypeError` (code ``INVALID_COMMAND``, also a ``TypeError``).
        """
        return self._native.apply(command)

    def apply_batch(self, commands: Iterable[Union[Command, str]]) -> AppliedBatch:
        """Applies commands (dicts or JSON texts) all or nothing; returns a sequence of :class:`Applied`.

        If one fails, none is applied and the error carries the failing command's position
        as ``.index``.
        """
        return self._native.apply_batch(commands)

    def preview(self, command: Union[Command, str]) -> AllocationPreview:
        """Dry run of an ``allocate`` command (dict or JSON text): the split and why; nothing changes."""
        return AllocationPreview(*self._native.preview(command))

    # ----- reports -----------------------------------------------------------------------------

    def trial_balance(self, as_of: Optional[DateLike] = None) -> TrialBalance:
        """Every account with a non-zero balance, per currency, as of a date (``None``: now)."""
        return TrialBalance(*self._native.trial_balance(as_of))

    def resolution_tracker(self, period: PeriodLike) -> ResolutionTracker:
        """The resolution tracker of a period: requirement, mobilized and gap at its last day,
        window allocations in it and to its end.

        ``period`` is a half-year (``"2024-H2"``, the tracking system's rhythm), a year
        (``"2024"``), a quarter (``"2024-Q3"``), a month (``"2024-07"``) or an inclusive range of
        dates: ``{"from": "2024-07-01", "to": "2024-09-30"}`` or a ``(from, to)`` pair of
        ``datetime.date``. Anything else is :class:`~funding_window.InvalidArgument` naming the period.
        """
        return ResolutionTracker(*self._native.resolution_tracker(period))

    def window_statement(self, period: PeriodLike) -> WindowStatement:
        """The window's sources, uses and balances over a period (as :meth:`resolution_tracker` takes it), in USD."""
        return WindowStatement(*self._native.window_statement(period))

    def donor_statement(self, donor: str) -> DonorStatement:
        """A donor's agreements and what became of them."""
        return DonorStatement(*self._native.donor_statement(donor))

    def transfer_register(self) -> TransferRegister:
        """Every balance transfer into the window."""
        return TransferRegister(*self._native.transfer_register())

    def allocation_log(self) -> AllocationLog:
        """Every allocation decision, one row per resolution (reversals as negative rows)."""
        return AllocationLog(*self._native.allocation_log())

    def journal(self) -> Journal:
        """The journal as a report: one row per posting (``to_pandas`` is columnar and fast)."""
        return Journal(self._native.journal())

    # ----- exports -----------------------------------------------------------------------------

    def export_csv(self, report: str, **args: Any) -> str:
        """One report as CSV text (RFC 4180), exactly as the core writes it.

        ``report`` is ``trial_balance`` (``as_of``, optional), ``resolution_tracker`` or
        ``window_statement`` (``period``, as :meth:`resolution_tracker` takes it), ``donor_statement`` (``donor``;
        every donor, in registration order, when absent), ``transfer_register``,
        ``allocation_log`` or ``journal`` (one row per posting). Dates are
        ``datetime.date`` or ``"YYYY-MM-DD"``; an argument given as ``None`` is absent.

        Lines end in CRLF; a field holding ``"``, ``,``, CR or LF is quoted; the first line
        names the columns. Amounts are written as in the JSON reports, ``null`` as an empty
        field. An unknown report or argument is :class:`~funding_window.InvalidArgument`; a
        ``datetime`` where a date belongs is :class:`~funding_window.ArgumentTypeError`.

        >>> import funding_window as fw
        >>> ledger = fw.Ledger()
        >>> _ = ledger.register_donor("NO", "Norway", "member_state")
        >>> _ = ledger.sign_agreement("CA-NO-1", "NO", "USD", 900000, "2024-02-01", "0.07", False)
        >>> ledger.export_csv("trial_balance").splitlines()
        ['account,currency,balance', 'assets:receivable:CA-NO-1,USD,900000.00', 'funds:window:unallocated,USD,-900000.00']
        """
        if "period" in args:
            args["period"] = _period_option(args["period"])
        return self._native.export_csv(report, args)

    def export_iati(
        self,
        generated_at: Timestamp,
        as_of: Optional[DateLike] = None,
        *,
        reporting_org_ref: Optional[str] = None,
        reporting_org_name: Optional[str] = None,
        reporting_org_type: Optional[str] = None,
        window_suffix: Optional[str] = None,
        window_title: Optional[str] = None,
        window_description: Optional[str] = None,
        include_projects: Optional[bool] = None,
        language: Optional[str] = None,
    ) -> str:
        """The window (and by default each project) as an IATI 2.03 activity file (XML text).

        ``generated_at`` (a timezone-aware ``datetime`` or an RFC 3339 string; a naive
        ``datetime`` is :class:`~funding_window.ArgumentTypeError`) is the file's
        generation time: the export never reads a clock, so the same books and options give
        the same bytes. Entries dated after ``as_of`` (by default the date of
        ``generated_at``, never later) are left out. The other options default to the core's
        (``reporting_org_ref="XM-DAC-41120"``, UN-Habitat's name, organisation type ``"40"``,
        ``window_suffix="UAFW"``, English narratives, projects included); ``None`` means the default.

        >>> import datetime as dt
        >>> import funding_window as fw
        >>> xml = fw.Ledger().export_iati(dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.timezone.utc))
        >>> '<iati-identifier>XM-DAC-41120-UAFW</iati-identifier>' in xml
        True
        """
        given = {
            "generated_at": generated_at,
            "as_of": as_of,
            "reporting_org_ref": reporting_org_ref,
            "reporting_org_name": reporting_org_name,
            "reporting_org_type": reporting_org_type,
            "window_suffix": window_suffix,
            "window_title": window_title,
            "window_description": window_description,
            "include_projects": include_projects,
            "language": language,
        }
        # generated_at is required: None goes to the core, which says so.
        options = {k: v for k, v in given.items() if v is not None or k == "generated_at"}
        return self._native.export_iati(options)

    def export_hledger(self) -> str:
        """The journal in hledger / ledger-cli syntax: one transaction per entry that posts.

        ``hledger -f FILE bal --flat --layout=bare`` lists exactly the accounts, currencies and
        balances of :meth:`trial_balance`.
        """
        return self._native.export_hledger()

    # ----- registries and balances -------------------------------------------------------------

    def resolutions(self) -> Table:
        """The registered resolutions: id, title, status, current requirement."""
        return Table("Resolutions", *self._native.resolutions())

    def donors(self) -> Table:
        """The registered donors: id, name, kind."""
        return Table("Donors", *self._native.donors())

    def window_balance(self, as_of: Optional[DateLike] = None) -> Dict[str, Any]:
        """The window's balance as of a date: ``unallocated``, ``earmarked`` (per resolution), ``total``."""
        _, data = self._native.window_balance(as_of)
        result: Dict[str, Any] = data
        return result

    def entry(self, seq: int) -> Dict[str, Any]:
        """One journal entry (command, postings, conversions, hash) by sequence number."""
        _, data = self._native.entry(seq)
        result: Dict[str, Any] = data
        return result

    def balance(self, account: str, currency: Optional[str] = None, as_of: Optional[DateLike] = None) -> Decimal:
        """One account's debit-positive balance (``"funds:window:unallocated"``), as ``Decimal``."""
        amount: Decimal = self._native.balance(account, currency, as_of)
        return amount
