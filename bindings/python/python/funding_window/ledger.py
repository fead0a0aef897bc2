"""The :class:`Ledger`: the funding window's books, kept by the Rust core.

Commands are the dicts of the JSON contract (``DOMAIN.md``), or the keyword methods that
build them (:meth:`Ledger.sign_agreement`, :meth:`Ledger.allocate`, ...). Amounts are
``decimal.Decimal``, ``int`` or decimal strings, never ``float``; dates are
``datetime.date`` or ``"YYYY-MM-DD"``. Every method that records something accepts the
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
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import Applied, AppliedBatch
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

__all__ = ["Ledger", "Applied", "Amount", "DateLike", "Timestamp"]

#: Money: exact values only (a ``float`` is refused: :class:`~funding_window.CommandTypeError`, a ``TypeError``).
Amount = Union[Decimal, int, str]
#: A date: ``datetime.date`` (not ``datetime.datetime``) or ``"YYYY-MM-DD"``.
DateLike = Union[_dt.date, str]
#: A recording time: a timezone-aware ``datetime.datetime`` or an RFC 3339 string.
Timestamp = Union[_dt.datetime, str]
#: A file path.
PathLike = Union[str, "os.PathLike[str]"]


def _command(type_name: str, fields: Mapping[str, Any], meta: Mapping[str, Any]) -> Dict[str, Any]:
    """A command dict of the contract: ``type``, the given fields, then the meta fields (``None`` left out)."""
    command: Dict[str, Any] = {"type": type_name}
    command.update((k, v) for k, v in fields.items() if v is not None)
    command.update((k, v) for k, v in meta.items() if v is not None)
    return command


class Ledger:
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
    def from_journal(cls, text: str) -> Ledger:
        """Rebuilds an in-memory ledger from journal text (:meth:`to_journal`), verifying it."""
        return cls._wrap(_native.Ledger.from_journal(text))

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

    def apply(self, command: Union[Mapping[str, Any], str]) -> Applied:
        """Applies one command of the contract; returns the journal entry it made.

        ``command`` is a dict (amounts ``Decimal``/``int``/``str``, dates ``date``/``str``) or
        the command's JSON text. On error nothing changes and a
        :class:`~funding_window.LedgerError` subclass is raised; Python values that have no
        place in the contract, such as a ``float``, raise
        :class:`~funding_window.CommandTypeError` (code ``INVALID_COMMAND``, also a ``TypeError``).
        """
        return self._native.apply(command)

    def apply_batch(self, commands: Iterable[Union[Mapping[str, Any], str]]) -> AppliedBatch:
        """Applies commands (dicts or JSON texts) all or nothing; returns a sequence of :class:`Applied`.

        If one fails, none is applied and the error carries the failing command's position
        as ``.index``.
        """
        return self._native.apply_batch(commands)

    def preview(self, command: Union[Mapping[str, Any], str]) -> AllocationPreview:
        """Dry run of an ``allocate`` command (dict or JSON text): the split and why; nothing changes."""
        return AllocationPreview(*self._native.preview(command))

    def register_donor(
        self,
        id: str,
        name: str,
        kind: str,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Registers a donor; ``kind`` is ``member_state``, ``multilateral``, ``private`` or ``other``."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("register_donor", {"id": id, "name": name, "kind": kind}, meta))

    def register_resolution(
        self,
        id: str,
        title: str,
        status: Optional[str] = None,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Registers a resolution beyond the 15 every ledger knows (``"3/1"``)."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("register_resolution", {"id": id, "title": title, "status": status}, meta))

    def set_status(
        self,
        resolution: str,
        status: str,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Sets a resolution's implementation status, as the tracker shows it."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("set_status", {"resolution": resolution, "status": status}, meta))

    def set_rate(
        self,
        currency: str,
        month: str,
        per_usd: Amount,
        source: Optional[str] = None,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Records the UNORE rate of a month (``"2024-03"``): units of ``currency`` per US dollar."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {"currency": currency, "month": month, "per_usd": per_usd, "source": source}
        return self.apply(_command("set_rate", fields, meta))

    def set_requirement(
        self,
        resolution: str,
        amount: Amount,
        effective_on: Optional[DateLike] = None,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Sets a resolution's resource requirement in USD (from ``effective_on``, or for every period)."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {"resolution": resolution, "amount": amount, "effective_on": effective_on}
        return self.apply(_command("set_requirement", fields, meta))

    def configure(
        self,
        *,
        window_psc_rate: Optional[Amount] = None,
        rounding: Optional[str] = None,
        four_eyes: Optional[bool] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Changes ledger settings: the window's PSC rate, the rounding rule, four-eyes control."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {"window_psc_rate": window_psc_rate, "rounding": rounding, "four_eyes": four_eyes}
        return self.apply(_command("configure", fields, meta))

    def sign_agreement(
        self,
        id: str,
        donor: str,
        currency: str,
        amount: Amount,
        signed_on: DateLike,
        psc_rate: Amount,
        elective_transfer: bool,
        *,
        earmarked_to: Optional[Sequence[str]] = None,
        project: Optional[str] = None,
        resolution: Optional[str] = None,
        ends_on: Optional[DateLike] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Signs a contribution agreement (a commitment: it counts as mobilized).

        A window contribution by default, soft-earmarked to ``earmarked_to`` (``[]`` or
        ``None``: unearmarked); with ``project`` (and its ``resolution``), it funds that project
        and creates it. ``elective_transfer`` is the clause allowing a closed project's
        balance to move to the window.
        """
        if project is not None:
            if earmarked_to:
                raise TypeError("earmarked_to is for window contributions; a project agreement funds one project")
            purpose: Dict[str, Any] = {"project": {"id": project, "resolution": resolution}}
        else:
            if resolution is not None:
                raise TypeError("resolution goes with project; a window contribution is earmarked with earmarked_to")
            purpose = {"window": {"earmarked_to": list(earmarked_to or [])}}
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {
            "id": id,
            "donor": donor,
            "currency": currency,
            "amount": amount,
            "signed_on": signed_on,
            "ends_on": ends_on,
            "psc_rate": psc_rate,
            "elective_transfer": elective_transfer,
            "purpose": purpose,
        }
        return self.apply(_command("sign_agreement", fields, meta))

    def record_receipt(
        self,
        agreement: str,
        amount: Amount,
        received_on: DateLike,
        reference: Optional[str] = None,
        *,
        currency: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Records cash received against an agreement, in the agreement's currency."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {
            "agreement": agreement,
            "amount": amount,
            "received_on": received_on,
            "reference": reference,
            "currency": currency,
        }
        return self.apply(_command("record_receipt", fields, meta))

    def record_expenditure(
        self,
        amount: Amount,
        spent_on: DateLike,
        *,
        project: Optional[str] = None,
        resolution: Optional[str] = None,
        description: Optional[str] = None,
        currency: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Records spending by a ``project``, or of the window funds allocated to a ``resolution``.

        PSC is charged on top at the agreement's (or the window's) rate.
        """
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {
            "project": project,
            "resolution": resolution,
            "amount": amount,
            "spent_on": spent_on,
            "description": description,
            "currency": currency,
        }
        return self.apply(_command("record_expenditure", fields, meta))

    def close_project(
        self,
        project: str,
        closed_on: DateLike,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Closes a project, cancelling what is still receivable on its agreement."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("close_project", {"project": project, "closed_on": closed_on}, meta))

    def transfer_balance(
        self,
        project: str,
        transferred_on: DateLike,
        amount: Optional[Amount] = None,
        *,
        elected_on: Optional[DateLike] = None,
        election_ref: Optional[str] = None,
        approved_by: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Moves a closed project's balance into the window (all of it when ``amount`` is ``None``).

        Needs the agreement's elective-transfer clause and the donor's election
        (``elected_on`` and ``election_ref``).
        """
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {
            "project": project,
            "amount": amount,
            "elected_on": elected_on,
            "election_ref": election_ref,
            "transferred_on": transferred_on,
            "approved_by": approved_by,
        }
        return self.apply(_command("transfer_balance", fields, meta))

    def refund_balance(
        self,
        project: str,
        refunded_on: DateLike,
        amount: Optional[Amount] = None,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Owes a closed project's balance back to its donor (all of it when ``amount`` is ``None``)."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = {"project": project, "amount": amount, "refunded_on": refunded_on}
        return self.apply(_command("refund_balance", fields, meta))

    @staticmethod
    def _allocate_fields(
        id: str,
        decided_on: DateLike,
        amount: Amount,
        policy: str,
        resolutions: Optional[Sequence[str]],
        source: Union[str, Mapping[str, str]],
        approved_by: Optional[str],
        shares: Optional[Mapping[str, Amount]],
        weights: Optional[Mapping[str, Amount]],
    ) -> Dict[str, Any]:
        return {
            "id": id,
            "decided_on": decided_on,
            "amount": amount,
            "policy": policy,
            "resolutions": None if resolutions is None else list(resolutions),
            "source": source,
            "approved_by": approved_by,
            "shares": None if shares is None else dict(shares),
            "weights": None if weights is None else dict(weights),
        }

    def allocate(
        self,
        id: str,
        decided_on: DateLike,
        amount: Amount,
        policy: str,
        resolutions: Optional[Sequence[str]] = None,
        *,
        source: Union[str, Mapping[str, str]] = "unallocated",
        approved_by: Optional[str] = None,
        shares: Optional[Mapping[str, Amount]] = None,
        weights: Optional[Mapping[str, Amount]] = None,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Allocates window money to resolutions.

        ``policy`` is ``explicit`` (with ``shares``), ``equal``, ``gap_pro_rata`` or ``weights``
        (with ``weights``); ``source`` is ``"unallocated"`` or ``{"earmarked": "2/4"}``;
        ``resolutions`` lists the candidates (all registered ones when ``None``).
        """
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        fields = self._allocate_fields(id, decided_on, amount, policy, resolutions, source, approved_by, shares, weights)
        return self.apply(_command("allocate", fields, meta))

    def preview_allocation(
        self,
        id: str,
        decided_on: DateLike,
        amount: Amount,
        policy: str,
        resolutions: Optional[Sequence[str]] = None,
        *,
        source: Union[str, Mapping[str, str]] = "unallocated",
        approved_by: Optional[str] = None,
        shares: Optional[Mapping[str, Amount]] = None,
        weights: Optional[Mapping[str, Amount]] = None,
        recorded_by: Optional[str] = None,
    ) -> AllocationPreview:
        """Dry run of :meth:`allocate`: each candidate's gap, weight, exact quota, floor,
        remainder, rank and share (largest-remainder method). Nothing changes."""
        fields = self._allocate_fields(id, decided_on, amount, policy, resolutions, source, approved_by, shares, weights)
        return self.preview(_command("allocate", fields, {"recorded_by": recorded_by}))

    def reverse(
        self,
        entry: int,
        on: DateLike,
        reason: str,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Reverses journal entry ``entry`` with a new entry dated ``on`` (in an open period)."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("reverse", {"entry": entry, "on": on, "reason": reason}, meta))

    def close_period(
        self,
        period: str,
        *,
        idempotency_key: Optional[str] = None,
        recorded_by: Optional[str] = None,
        recorded_at: Optional[Timestamp] = None,
    ) -> Applied:
        """Locks a half-year (``"2024-H1"``) and every earlier one."""
        meta = {"idempotency_key": idempotency_key, "recorded_by": recorded_by, "recorded_at": recorded_at}
        return self.apply(_command("close_period", {"period": period}, meta))

    # ----- reports -----------------------------------------------------------------------------

    def trial_balance(self, as_of: Optional[DateLike] = None) -> TrialBalance:
        """Every account with a non-zero balance, per currency, as of a date (``None``: now)."""
        return TrialBalance(*self._native.trial_balance(as_of))

    def resolution_tracker(self, period: str) -> ResolutionTracker:
        """The semi-annual resolution tracker (``"2024-H2"``): requirement, mobilized, gap, allocations."""
        return ResolutionTracker(*self._native.resolution_tracker(period))

    def window_statement(self, period: str) -> WindowStatement:
        """The window's sources, uses and balances over a half-year, in USD."""
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
        ``window_statement`` (``period``, ``"2024-H2"``), ``donor_statement`` (``donor``;
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
