"""Shared fixtures."""

from __future__ import annotations

import os

import pytest

# Charts render off-screen in tests.
os.environ.setdefault("MPLBACKEND", "Agg")

import funding_window as fw  # noqa: E402
from helpers import build_year  # noqa: E402


@pytest.fixture
def year() -> fw.Ledger:
    """The example year of helpers.build_year."""
    return build_year(fw.Ledger())


@pytest.fixture
def ledger() -> fw.Ledger:
    """An empty ledger."""
    return fw.Ledger()
