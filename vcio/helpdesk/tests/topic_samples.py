"""Labelled tickets the topic tests train and discover on (written for these tests).

Five topics, twenty tickets each, in the shape e-mail tickets arrive: a
greeting, the problem, a signature or a quoted reply, so cleaning matters.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

TOPICS: dict[str, tuple[list[str], list[str]]] = {
    "Printing": (
        [
            "Printer on 2nd floor jams",
            "Cannot print to HP LaserJet",
            "Toner low on reception printer",
            "Print queue stuck",
            "Printer offline again",
            "Scanner to email not working on copier",
            "Paper jam in tray 2",
            "Printing very slow from Word",
        ],
        [
            "the printer keeps jamming and shows a paper jam error in tray 2",
            "print jobs sit in the queue and nothing comes out of the printer",
            "the printer says toner low and prints are faded",
            "the copier does not scan to email anymore, printer driver error",
            "printer is offline for everyone on the floor, we cannot print invoices",
        ],
    ),
    "Passwords": (
        [
            "Password reset please",
            "Locked out of my account",
            "Account locked after holiday",
            "Forgot my password",
            "MFA code not arriving",
            "Password expired cannot log in",
            "Reset password for new starter",
            "Cannot sign in to Office 365",
        ],
        [
            "my account is locked after too many password attempts, please unlock it",
            "I forgot my password and cannot log in to windows",
            "the password expired and the login screen will not accept a new password",
            "the authenticator app does not show the MFA code so I cannot sign in",
            "please reset the password and unlock the account of the new starter",
        ],
    ),
    "Email": (
        [
            "Outlook not receiving email",
            "Mailbox full",
            "Shared mailbox missing in Outlook",
            "Emails stuck in outbox",
            "Calendar invites not arriving",
            "Spam in inbox",
            "Distribution list add member",
            "Out of office not working",
        ],
        [
            "outlook shows emails stuck in the outbox and the mailbox is almost full",
            "the shared mailbox disappeared from outlook after the update",
            "calendar invites from customers do not arrive in my inbox",
            "we receive a lot of spam and phishing mails in the inbox",
            "please add me to the sales distribution list in exchange",
        ],
    ),
    "VPN": (
        [
            "VPN keeps disconnecting",
            "Cannot connect to VPN from home",
            "Remote desktop slow over VPN",
            "VPN client certificate expired",
            "No network drive access from home",
            "WiFi drops in meeting room",
            "Internet very slow in office",
            "Firewall blocks supplier site",
        ],
        [
            "the vpn tunnel drops every few minutes when working from home",
            "forticlient vpn says the certificate expired and will not connect",
            "mapped network drives are not reachable over the vpn connection",
            "the wifi in the meeting room disconnects and the internet is slow",
            "the firewall blocks the supplier portal, network team please allow it",
        ],
    ),
    "Laptop": (
        [
            "Laptop will not boot",
            "Screen flickering on laptop",
            "Laptop battery drains fast",
            "Keyboard keys not working",
            "Docking station no display",
            "Laptop overheating and fan loud",
            "Blue screen on startup",
            "New laptop for new starter",
        ],
        [
            "the laptop shows a blue screen and restarts during boot",
            "the laptop screen flickers and the docking station gives no display on the monitor",
            "the battery drains in one hour and the laptop gets very hot, the fan is loud",
            "some keyboard keys stopped working on my laptop",
            "please prepare a new laptop with docking station and monitor for a new starter",
        ],
    ),
}

GREETINGS = ["Hi team,", "Hello,", "Dear IT,", "Good morning,"]
ENDINGS = [
    "Thanks,\nJane Doe\nAccounts",
    "Kind regards,\nMark\n-- \nMark Smith | Sales | +44 20 7946 0000",
    "Sent from my iPhone",
    "Regards,\nPriya\n\nThis e-mail and any attachments are confidential and intended solely "
    "for the addressee.",
    "Cheers\n\nOn Mon, 3 Mar 2025 at 09:12, Service Desk <help@example.com> wrote:\n> Dear user,"
    "\n> please reply above this line\n> [Ticket#4711] received",
]


def sample_tickets() -> list[tuple[str, str, str]]:
    """(subject, body, label) for 100 tickets, topics interleaved (rotating order)."""
    rows = []
    per_topic = {
        label: list(itertools.islice(itertools.product(subjects, bodies), 0, None, 2))[:20]
        for label, (subjects, bodies) in TOPICS.items()
    }
    labels = list(per_topic)
    for i in range(20):
        # Rotated each round, so every fifth row (the held-out split) holds every topic.
        for label in labels[i % 5 :] + labels[: i % 5]:
            combos = per_topic[label]
            subject, body = combos[i]
            text = f"{GREETINGS[i % 4]}\n\n{body}.\n\n{ENDINGS[(i + len(label)) % 5]}"
            rows.append((subject, text, label))
    return rows


def write_csv(path: Path) -> Path:
    """The samples as a Kaggle-shaped CSV (``Document``, ``Topic_group``)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Document", "Topic_group"])
        for subject, body, label in sample_tickets():
            writer.writerow([f"{subject} {body}", label])
    return path


def load_tickets(client, *, with_categories: bool = True, start: dt.datetime | None = None):
    """Create the samples as ``client``'s tickets, a day apart; returns them in order."""
    from vcio.helpdesk.tests.factories import make_ticket

    start = start or dt.datetime(2026, 9, 1, 9, tzinfo=dt.UTC)
    return [
        make_ticket(
            client,
            subject=subject,
            body=body,
            source_category=label if with_categories else "",
            opened_at=start + dt.timedelta(hours=6 * i),
        )
        for i, (subject, body, label) in enumerate(sample_tickets())
    ]
