"""One vocabulary: every word for a judgement is written once, in metrics/words.py."""

from __future__ import annotations

import ast
from pathlib import Path

from metrics import words
from tests.conftest import ROOT

SOURCES = ("metrics", "reports", "layouts", "access", "pipelines", "cli", "cli.py", "app.py")


def _vocabulary() -> set[str]:
    found: set[str] = set()
    for table in (
        words.RAG,
        words.DIRECTION,
        words.VARIATION,
        words.ASSURANCE,
        words.RULE,
        words.FLAG_STATUS,
        words.MILESTONE,
        words.RUN_STATUS,
        words.SAVING_STATUS,
    ):
        for value in table.values():
            entries = value if isinstance(value, tuple) else (value,)
            # Symbols and css classes are short; the words are what must not be copied
            found.update(e for e in entries if isinstance(e, str) and len(e) > 4 and " " in e)
    return found


def _string_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_judgement_is_worded_outside_the_vocabulary() -> None:
    vocabulary = _vocabulary()
    copies = []
    for source in SOURCES:
        base = ROOT / source
        files = [base] if base.is_file() else sorted(base.rglob("*.py")) if base.is_dir() else []
        for path in files:
            if path == ROOT / "metrics" / "words.py":
                continue
            for line, text in _string_literals(path):
                if text.strip() in vocabulary:
                    copies.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not copies, "words copied from metrics/words.py:\n" + "\n".join(copies)


def test_every_stored_value_has_words() -> None:
    from metrics.engine.milestones import MILESTONE_STATUSES
    from metrics.engine.risks import RATINGS
    from metrics.engine.savings import SAVING_STATUSES
    from metrics.engine.status import DIRECTIONS, RAG_VALUES
    from metrics.flags.finance_rules import FINANCE_RULES
    from metrics.flags.rules import RULES
    from warehouse.flags import FLAG_STATUSES
    from warehouse.runs import RUN_STATUSES

    assert set(RAG_VALUES) <= set(words.RAG)
    assert set(DIRECTIONS) == set(words.DIRECTION)
    assert set(RULES) | set(FINANCE_RULES) == set(words.RULE)
    assert set(SAVING_STATUSES) == set(words.SAVING_STATUS)
    assert set(RATINGS) == set(words.RISK_RATING)
    assert set(MILESTONE_STATUSES) == set(words.MILESTONE)
    assert set(FLAG_STATUSES) == set(words.FLAG_STATUS)
    assert set(RUN_STATUSES) == set(words.RUN_STATUS)
