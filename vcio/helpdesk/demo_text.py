"""The words of the demo tickets: what people write to a help desk, and how they write it.

Each topic has subjects and bodies with placeholders (``{printer}``,
``{server}``, ``{app}``, ``{device}``, ``{where}``); :func:`compose` wraps a
body in a greeting, a sign-off, sometimes a phone signature or a mail
disclaimer, and lets a typo or two slip in, so topic discovery meets text
as untidy as a real export. Subjects of password tickets always say
"password" or "locked"; no other topic's subject does (the demo's tests
count them by that).
"""

from __future__ import annotations

import random

# topic name → (subjects, bodies). The names are the learned topics the demo falls back to.
PRINTERS = "Printers"
PASSWORDS = "Passwords and accounts"
SERVER = "Server outage"
TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    PRINTERS: (
        ["Printer jammed again", "{printer} not printing", "paper jam on {printer}",
         "Printer offline", "Cant print to {printer}", "printer showing error 49.4C02",
         "Toner low / streaks on prints ({printer})", "Print jobs stuck in queue",
         "{printer} printing blank pages", "Scanner on the copier not sending to email"],
        ["The printer {printer} in {where} has jammed again, third time this week. We've "
         "opened every tray and can't see any paper.",
         "Nothing is coming out of {printer}. The queue says 'Error - Printing' and the jobs "
         "just sit there. Tried turning it off and on.",
         "Prints from {printer} have grey streaks down the left side, makes invoices look "
         "awful. Is it the drum? It is quite an old machine.",
         "{printer} keeps going offline on everyone's PC, we have to walk to the other printer "
         "upstairs. It comes back after a restart but only for an hour or so.",
         "Scan to email on {printer} fails with 'SMTP error'. Needed for the delivery notes.",
         "Display on {printer} says 49.4C02 service error. Asset tag on the side is {tag}."],
    ),
    PASSWORDS: (
        ["Password reset please", "locked out of my account", "Locked out again",
         "Password expired, cant log in", "Need password reset for {app}",
         "account locked after password change", "Forgot my password",
         "password not working on the kiosk PC", "MFA / password problem - new phone"],
        ["I changed my password on Friday and now I'm locked out on the shop floor PC.",
         "Can you reset my password please, it says my account is locked.",
         "My password expired over the weekend and the screen just says the user name or "
         "password is incorrect.",
         "I got a new phone and the authenticator app is gone, so I can't get in. Can you "
         "reset it?",
         "Locked out of {app} after 3 tries. Shift starts in 10 minutes!",
         "Please reset the password for the shared kiosk login in {where}, nobody remembers it."],
    ),
    "Email": (
        ["Outlook keeps asking for credentials", "Emails not arriving", "Mailbox full",
         "Shared mailbox missing in Outlook", "Email to customer bounced",
         "Outlook crashing on start", "Calendar not syncing on phone", "Phishing email?"],
        ["Outlook pops up a sign-in window every few minutes since this morning.",
         "A customer says they sent us an order yesterday but it never arrived. Can you check "
         "if it was blocked?",
         "I'm getting 'your mailbox is almost full' warnings, can we get more space?",
         "The {app} shared mailbox disappeared from my Outlook after the update.",
         "Got an email asking me to confirm my payroll details with a link, looks dodgy. "
         "I did not click it. Forwarding it to you.",
         "Outlook opens and closes straight away. Tried safe mode, same thing."],
    ),
    "Network and VPN": (
        ["VPN not connecting from home", "WiFi dropping in {where}", "Internet very slow",
         "No network on my desk", "Cant reach shared drive from home",
         "Guest wifi code for visitors", "Teams calls breaking up"],
        ["VPN says 'connection attempt failed' since this morning. Home internet works fine.",
         "Wi-Fi in {where} keeps dropping every 10 minutes or so, everyone in the room has it.",
         "Internet is crawling today, websites take ages to load.",
         "The network cable at my desk isn't working, the little light on the port is off.",
         "I can't get to the S: drive when working from home, VPN is connected.",
         "Teams calls cut in and out, people say I sound like a robot."],
    ),
    "Hardware": (
        ["Laptop wont turn on", "Monitor flickering", "Keyboard missing keys",
         "{device} very slow", "Docking station not detecting screens",
         "Battery drains fast on {device}", "Blue screen on {device}", "Need a new mouse"],
        ["My laptop ({device}) won't power on. The charging light blinks orange.",
         "Second monitor flickers and goes black every few minutes.",
         "{device} takes 10 minutes to start and everything freezes. It's really old.",
         "When I put the laptop in the dock the screens stay black. Worked yesterday.",
         "Battery on {device} lasts about an hour now.",
         "{device} showed a blue screen with CRITICAL_PROCESS_DIED and restarted."],
    ),
    "Software installs": (
        ["Please install {app}", "Need Adobe Acrobat", "Software request",
         "Update failing on {device}", "Licence for {app} expired", "Install Zoom plugin"],
        ["Could you install {app} on my PC? My manager has approved it.",
         "I need Acrobat Pro to edit PDFs for the tender, I only have the reader.",
         "Windows update keeps failing on {device} with error 0x800f0922.",
         "{app} says my licence has expired and opens read-only.",
         "Need the Zoom plugin for Outlook for client meetings."],
    ),
    "Line-of-business app": (
        ["{app} error when saving", "{app} slow today", "Report not running in {app}",
         "{app} won't open", "Cant see new customer in {app}"],
        ["{app} shows 'Object reference not set to an instance of an object' when I save "
         "an order.",
         "{app} is really slow this morning, each screen takes 20 seconds.",
         "The month-end report in {app} spins forever and then times out.",
         "{app} won't start, says it can't connect to the database."],
    ),
    "New starter / leaver": (
        ["New starter Monday", "Leaver - disable account", "New user setup",
         "Access for new team member", "Employee leaving Friday"],
        ["We have a new starter in {where} on Monday, they need a laptop, email and {app}.",
         "Our colleague leaves on Friday, please disable their account and forward their "
         "email to me.",
         "Please set up a new user, same access as her predecessor.",
         "Can the new team member get access to the shared drive and {app}?"],
    ),
    SERVER: (
        ["{app} down", "Cant connect to {app} - all users", "{server} not responding",
         "{app} frozen again", "Everyone kicked out of {app}", "URGENT: {app} not working"],
        ["Nobody in {where} can get into {app}, it just hangs on the login screen.",
         "{app} froze for everyone at about 10:15. Orders can't be entered.",
         "{server} seems to be down again. Same as last week, {app} is not responding.",
         "All users disconnected from {app}. Is the server being restarted?",
         "Again {app} is unusable, we had this a few days ago too."],
    ),
}  # fmt: skip

GREETINGS = ["Hi", "Hi,", "Hello IT,", "Hi team", "Good morning,", "Hiya", "Hello,", "", "",
             "Dear helpdesk,", "Morning all"]  # fmt: skip
CLOSINGS = ["Thanks", "Thanks!", "Thank you", "Cheers", "Kind regards,", "Many thanks",
            "Regards", "thx", "", "Best,"]  # fmt: skip
PHONE_FOOTERS = ["Sent from my iPhone", "Sent from my Galaxy", "Get Outlook for iOS",
                 "Sent from Outlook for Android"]  # fmt: skip
DISCLAIMER = (
    "CONFIDENTIALITY NOTICE: This e-mail and any attachments are confidential and intended "
    "solely for the addressee. If you have received it in error, please notify the sender "
    "and delete it."
)
# Source categories as help desks really fill them: mostly nothing that helps.
USELESS_CATEGORIES = ["General", "Other", "Service Request", "Incident", "General", "",
                      "Question", "Other"]  # fmt: skip
HINT_CATEGORIES = {PRINTERS: "Hardware", "Hardware": "Hardware", "Software installs": "Software",
                   SERVER: "Incident", PASSWORDS: "Access"}  # fmt: skip


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one slip of the fingers: two letters swapped or one dropped in a word."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :] if rng.random() < 0.6 else w[:j] + w[j + 1 :]
    return " ".join(words)


def compose(
    body: str, name: str, title: str, company: str, rng: random.Random, *, html: bool
) -> str:
    """A ticket body as a person sends it: greeting, text (with typos), sign-off, signature."""
    if rng.random() < 0.35:
        body = typo(body, rng)
    if rng.random() < 0.1:
        body = body.lower()
    parts = [rng.choice(GREETINGS), body]
    closing = rng.choice(CLOSINGS)
    first = name.split(" ")[0]
    if closing:
        parts.append(f"{closing}\n{first}" if rng.random() < 0.7 else closing)
    footer = rng.random()
    if footer < 0.15:
        parts.append(rng.choice(PHONE_FOOTERS))
    elif footer < 0.35:
        parts.append(f"{name}\n{title} | {company}")
    if rng.random() < 0.12:
        parts.append(DISCLAIMER)
    text = "\n\n".join(p for p in parts if p)
    if html:
        # Left behind by a mail client's HTML that the help desk stored as it came.
        paras = "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
        return f'<div dir="ltr">{paras}</div>'
    return text
