"""The questionnaire file: vcio's JSON form of one questionnaire version, and its library.

One file holds one version::

    {"format": "vcio-questionnaire/1",          # optional, the only known format
     "key": "department-survey",                 # lower-case letters, digits, dashes
     "name": "IT needs and satisfaction",
     "description": "...",                       # optional
     "version": "2026.1",                        # new for this key
     "intro": "Shown above the questions.",      # optional
     "questions": [
        {"key": "overall",                       # unique in the version
         "kind": "satisfaction",                 # a QuestionKind: satisfaction, services,
                                                 #   pain, request, change, text
         "text": "Overall, how satisfied ...?",  # at most 300 characters
         "help": "1 = very unsatisfied ...",     # optional, at most 300 characters
         "required": true}]}                     # optional, false by default

``check_document`` names every problem (question number, key and field), and
``load`` saves nothing unless the whole file is right. A version is frozen by
``publish`` (a survey round was sent with it): its questions never change
again, so answers always keep the question they answered; to change a
question the practice copies the version (``copy_version``) and edits the copy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from vcio.needs.models import Question, QuestionKind, Questionnaire, QuestionnaireVersion

FORMAT = "vcio-questionnaire/1"
SHIPPED_DIR = Path(__file__).resolve().parent / "data"
MAX_QUESTIONS = 100
MAX_PROBLEMS = 50

TOP_FIELDS = {"format", "key", "name", "description", "version", "intro", "questions"}
QUESTION_FIELDS = {"key", "kind", "text", "help", "required"}
KEY_RE = re.compile(r"^[-a-z0-9_]{1,60}$")
QUESTION_KEY_RE = re.compile(r"^[-a-z0-9_]{1,40}$")
NAME_LENGTH = 200
VERSION_LENGTH = 20
TEXT_LENGTH = 300  # Question.text and Question.help
KINDS = tuple(QuestionKind.values)


class QuestionnaireFileError(ValueError):
    """A questionnaire document that cannot be loaded; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = "" if len(problems) <= 10 else f" (and {len(problems) - 10} more)"
        super().__init__("; ".join(problems[:10]) + more)


class FrozenVersionError(ValueError):
    """An edit of a frozen (published) version's questions, refused."""


def frozen_message(version: QuestionnaireVersion) -> str:
    return (
        f"{version} is frozen: a survey round was sent with it, so its questions never "
        "change (answers keep the question they answered). Copy it to a new version and "
        "edit the copy."
    )


def check_document(doc: Any) -> list[str]:
    """Every problem of a questionnaire document (an empty list: it can be loaded)."""
    if not isinstance(doc, dict):
        return ["the file must hold a JSON object with 'key', 'name', 'version', 'questions'"]
    problems: list[str] = []
    for name in sorted(set(doc) - TOP_FIELDS):
        problems.append(f"unknown field {name!r} (known: {', '.join(sorted(TOP_FIELDS))})")
    if doc.get("format", FORMAT) != FORMAT:
        problems.append(f"'format': {doc.get('format')!r} is not {FORMAT!r}")
    if not isinstance(doc.get("key"), str) or not KEY_RE.match(doc["key"]):
        problems.append(
            f"'key': {doc.get('key')!r} must be lower-case letters, digits and dashes (at most 60)"
        )
    _check_text(doc, "name", NAME_LENGTH, "", problems, required=True)
    _check_text(doc, "version", VERSION_LENGTH, "", problems, required=True)
    for name in ("description", "intro"):
        if not isinstance(doc.get(name, ""), str):
            problems.append(f"{name!r} must be text")
    _check_questions(doc.get("questions"), problems)
    return problems[:MAX_PROBLEMS]


def _check_text(
    obj: dict, name: str, limit: int, where: str, problems: list[str], *, required: bool
) -> None:
    value = obj.get(name)
    label = f"{where}: {name!r}" if where else repr(name)
    if value is None and not required:
        return
    if not isinstance(value, str):
        problems.append(f"{label} must be text" + (" and is missing" if value is None else ""))
    elif required and not value.strip():
        problems.append(f"{label} is missing")
    elif len(value) > limit:
        problems.append(f"{label} is longer than {limit} characters ({len(value)})")


def _check_questions(questions: Any, problems: list[str]) -> None:
    if not isinstance(questions, list) or not questions:
        problems.append("'questions' must be a non-empty list")
        return
    if len(questions) > MAX_QUESTIONS:
        problems.append(f"'questions': {len(questions)} questions, at most {MAX_QUESTIONS}")
        return
    keys: set[str] = set()
    for n, q in enumerate(questions, start=1):
        if not isinstance(q, dict):
            problems.append(f"question {n}: must be an object")
            continue
        key = q.get("key")
        where = f"question {n} ({key})" if isinstance(key, str) and key else f"question {n}"
        for name in sorted(set(q) - QUESTION_FIELDS):
            problems.append(f"{where}: unknown field {name!r}")
        if not isinstance(key, str) or not QUESTION_KEY_RE.match(key):
            problems.append(
                f"{where}: 'key' {key!r} must be lower-case letters, digits and dashes (at most 40)"
            )
        elif key in keys:
            problems.append(f"{where}: duplicate question key {key!r}")
        else:
            keys.add(key)
        if q.get("kind") not in KINDS:
            problems.append(f"{where}: 'kind' {q.get('kind')!r} is not one of {', '.join(KINDS)}")
        _check_text(q, "text", TEXT_LENGTH, where, problems, required=True)
        _check_text(q, "help", TEXT_LENGTH, where, problems, required=False)
        if not isinstance(q.get("required", False), bool):
            problems.append(f"{where}: 'required' must be true or false")


@transaction.atomic
def load(doc: dict[str, Any], user=None) -> QuestionnaireVersion:
    """Save a checked document as a new, editable version; nothing saved if anything is wrong.

    The questionnaire (by ``key``) is created, or its name and description
    updated; the version must be new (a version is never rewritten).
    """
    problems = check_document(doc)
    if problems:
        raise QuestionnaireFileError(problems)
    questionnaire, _ = Questionnaire.objects.get_or_create(
        key=doc["key"], defaults={"name": doc["name"]}
    )
    if questionnaire.versions.filter(version=doc["version"]).exists():
        raise QuestionnaireFileError(
            [
                f"'version': {questionnaire.name} version {doc['version']!r} already exists; "
                "give the file a new version to load it beside the old one"
            ]
        )
    questionnaire.name = doc["name"]
    questionnaire.description = doc.get("description", questionnaire.description)
    questionnaire.save()
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        version=doc["version"],
        intro=doc.get("intro", ""),
        created_by=user,
    )
    Question.objects.bulk_create(
        [
            Question(
                version=version,
                position=position,
                key=q["key"],
                kind=q["kind"],
                text=q["text"],
                help=q.get("help", ""),
                required=q.get("required", False),
            )
            for position, q in enumerate(doc["questions"], start=1)
        ]
    )
    return version


def export(version: QuestionnaireVersion) -> dict[str, Any]:
    """A version as a questionnaire document; ``load`` of it under a new version copies it."""
    questionnaire = version.questionnaire
    return {
        "format": FORMAT,
        "key": questionnaire.key,
        "name": questionnaire.name,
        "description": questionnaire.description,
        "version": version.version,
        "intro": version.intro,
        "questions": [
            {"key": q.key, "kind": q.kind, "text": q.text, "help": q.help, "required": q.required}
            for q in version.questions.order_by("position", "id")
        ],
    }


def copy_version(
    version: QuestionnaireVersion, new_version: str, user=None
) -> QuestionnaireVersion:
    """An editable copy of ``version`` named ``new_version`` (which must be new)."""
    doc = export(version)
    doc["version"] = new_version
    return load(doc, user=user)


def publish(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Freeze the version (idempotent): from now on its questions refuse any edit."""
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    return version


EDITABLE_FIELDS = ("text", "help", "required", "kind")


def edit_question(question: Question, **changes: Any) -> Question:
    """Change a question of an unfrozen version; a frozen version raises ``FrozenVersionError``.

    The frozen check reads the version from the database, so a version
    published since the question was loaded still refuses.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot edit {', '.join(sorted(unknown))} of a question")
    with transaction.atomic():
        version = QuestionnaireVersion.objects.select_for_update().get(pk=question.version_id)
        if version.frozen:
            raise FrozenVersionError(frozen_message(version))
        if "kind" in changes and changes["kind"] not in KINDS:
            raise ValueError(f"kind {changes['kind']!r} is not one of {', '.join(KINDS)}")
        for name, value in changes.items():
            setattr(question, name, value)
        question.full_clean(exclude=["version"])
        question.save(update_fields=list(changes))
    return question


def load_shipped() -> list[QuestionnaireVersion]:
    """Load vcio's own questionnaires that are not loaded yet; idempotent. Returns new ones."""
    loaded = []
    for path in sorted(SHIPPED_DIR.glob("*.questionnaire.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        exists = QuestionnaireVersion.objects.filter(
            questionnaire__key=doc["key"], version=doc["version"]
        ).exists()
        if not exists:
            loaded.append(load(doc))
    return loaded


def shipped_version() -> QuestionnaireVersion:
    """The shipped department survey's version (loaded if needed)."""
    load_shipped()
    doc = json.loads(
        (SHIPPED_DIR / "department-survey.questionnaire.json").read_text(encoding="utf-8")
    )
    return QuestionnaireVersion.objects.get(questionnaire__key=doc["key"], version=doc["version"])
