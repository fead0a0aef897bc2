"""The Python code of the specification (docs/) runs as written and agrees with the ledger."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

import funding_window as fw
from helpers import REPO

FIXTURE = REPO / "tests" / "fixtures" / "window-year.jsonl"


def python_blocks(page: Path) -> list[str]:
    """The ```python blocks of a page, in order."""
    return re.findall(r"^```python\n(.*?)^```", page.read_text(encoding="utf-8"), flags=re.M | re.S)


def chain_head_function() -> Callable[[Path], str]:
    """The stand-alone chain check of docs/journal.md."""
    blocks = python_blocks(REPO / "docs" / "journal.md")
    assert blocks, "docs/journal.md has a Python example"
    namespace: Dict[str, Any] = {}
    exec(blocks[0], namespace)  # the page's own code, exactly as a reader would paste it
    function: Callable[[Path], str] = namespace["chain_head"]
    return function


def test_the_journal_pages_chain_check_gives_the_ledgers_chain_head() -> None:
    chain_head = chain_head_function()
    assert chain_head(FIXTURE) == fw.Ledger.from_journal(FIXTURE.read_text(encoding="utf-8")).chain_head


def test_the_journal_pages_chain_check_finds_an_altered_amount(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    altered = text.replace('"amount":"3000000.00"', '"amount":"3000000.01"', 1)
    assert altered != text
    path = tmp_path / "altered.jsonl"
    path.write_text(altered, encoding="utf-8")
    with pytest.raises(AssertionError, match="broken chain"):
        chain_head_function()(path)
