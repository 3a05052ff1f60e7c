"""No test asserts how long something took.

These machines are shared and noisy: a ``< 2 s`` assertion has failed a fresh
clone under load. Timings live in ``bench/``; a test may wait for an event
with a deadline (``assert time.monotonic() < deadline``) but never compare an
elapsed time with a number.
"""

from __future__ import annotations

import ast
from pathlib import Path

import vcio

CLOCKS = {"perf_counter", "monotonic", "time", "process_time", "perf_counter_ns", "monotonic_ns"}


def _reads_clock(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr in CLOCKS
            and isinstance(sub.func.value, ast.Name)
            and sub.func.value.id == "time"
        ):
            return True
    return False


def _has_number(node: ast.AST) -> bool:
    return any(
        isinstance(sub, ast.Constant) and type(sub.value) in (int, float) for sub in ast.walk(node)
    )


def wall_clock_asserts(source: str) -> list[int]:
    """Line numbers of ``assert`` statements comparing a clock reading with a number."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            compares = [n for n in ast.walk(node.test) if isinstance(n, ast.Compare)]
            if any(_reads_clock(c) and _has_number(c) for c in compares):
                found.append(node.lineno)
    return found


def test_the_checker_finds_an_elapsed_time_assertion_and_spares_a_deadline():
    assert wall_clock_asserts("import time\nassert time.perf_counter() - t0 < 2\n") == [2]
    assert wall_clock_asserts("assert time.monotonic() < deadline, 'gave up'\n") == []


def test_no_test_module_asserts_a_wall_clock_time():
    root = Path(vcio.__file__).parent
    offenders = [
        f"{path.relative_to(root.parent)}:{line}"
        for path in sorted(root.rglob("test_*.py"))
        for line in wall_clock_asserts(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
