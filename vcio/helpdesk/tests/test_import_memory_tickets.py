"""A ticket import's memory grows with the keys it must compare, not with the rows' contents.

Counted with ``tracemalloc`` (Python's own allocations, deterministic), never
by time. What a ticket import must keep per row is its key (source and id,
to find a ticket twice in one file): tens of bytes. A parsed row kept whole
(subject, body, six times, texts) costs well over a kilobyte; the bounds
below sit between the two. An event log keeps one summary per ticket: four
times the events of the same tickets cost no more.
"""

from __future__ import annotations

import csv
import tracemalloc
from pathlib import Path

from vcio.core.importer import engine

BODY = "The shared printer on the second floor shows a paper jam again after lunch. " * 3


def write_tickets(path: Path, n: int) -> Path:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Ticket ID", "Subject", "Body", "Requester", "Created", "Resolved",
                      "Priority", "Status", "Category"])  # fmt: skip
        for i in range(n):
            out.writerow([f"TCK-{i:08d}", f"Printer jams, case {i}", BODY, f"Person {i % 97}",
                          "2024-03-01 09:00", "2024-03-01 12:30", "High", "Resolved",
                          "Printing"])  # fmt: skip
    return path


def write_log(path: Path, tickets: int, events_each: int) -> Path:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["Case ID", "Activity", "Resource", "Complete Timestamp", "Variant",
                      "Variant index", "Variant", "seriousness", "customer", "product",
                      "responsible_section", "seriousness_2", "service_level", "service_type",
                      "support_section", "workgroup"])  # fmt: skip
        for case in range(tickets):
            for e in range(events_each):
                activity = "Take in charge ticket" if e % 2 else "Wait"
                out.writerow([f"Case {case}", activity, "Value 1",
                              f"2012/10/09 14:{e % 60:02d}:{case % 60:02d}.000", "Variant 1",
                              "1", "Variant 1", "Value 1", "Value 1", "Value 1", "Value 1",
                              "Value 2", "Value 1", "Value 1", "Value 1", "Value 1"])  # fmt: skip
    return path


def peak(client, path: Path) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        report = engine.preview("tickets", client, [path], dry_run=True)
        top = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.problem_count == 0, [str(p) for p in report.problems[:3]]
    return top


def test_four_times_the_tickets_is_not_four_times_the_memory(acme, tmp_path):
    small = peak(acme, write_tickets(tmp_path / "small.csv", 3_000))
    big = peak(acme, write_tickets(tmp_path / "big.csv", 12_000))
    per_row = (big - small) / 9_000
    # The keys (and their dict slots) cost ~150–250 bytes a row; whole rows would be >1,500.
    assert per_row < 600, f"{per_row:.0f} bytes of memory per extra row"
    assert big < 3 * small


def test_an_event_log_costs_memory_per_ticket_not_per_event(acme, tmp_path):
    few = peak(acme, write_log(tmp_path / "few.csv", 1_000, 4))
    many = peak(acme, write_log(tmp_path / "many.csv", 1_000, 16))
    per_event = (many - few) / 12_000
    assert per_event < 40, f"{per_event:.0f} bytes of memory per extra event"
