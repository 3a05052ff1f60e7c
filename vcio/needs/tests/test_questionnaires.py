"""The questionnaire library: the shipped survey, the JSON file, versions and freezing."""

from __future__ import annotations

import copy

import pytest

from vcio.needs import questionnaires
from vcio.needs.models import Question, QuestionKind, Questionnaire, QuestionnaireVersion

pytestmark = pytest.mark.django_db

GOOD = {
    "key": "quick-pulse",
    "name": "Quick pulse",
    "version": "1",
    "intro": "Two questions.",
    "questions": [
        {"key": "overall", "kind": "satisfaction", "text": "How is IT?", "required": True},
        {"key": "pains", "kind": "pain", "text": "What hurts?", "help": "Anything."},
    ],
}


def test_shipped_survey_loads_once_with_every_kind_of_question():
    first = questionnaires.load_shipped()
    assert len(first) == 1
    version = first[0]
    assert version.questionnaire.name == "IT needs and satisfaction"
    kinds = {q.kind for q in version.questions.all()}
    assert kinds == set(QuestionKind.values)
    assert 6 <= version.questions.count() <= 10
    assert version.questions.get(key="overall").required
    assert not version.frozen
    # Idempotent: nothing new the second time.
    assert questionnaires.load_shipped() == []
    assert QuestionnaireVersion.objects.count() == 1
    assert questionnaires.shipped_version() == version


def test_a_good_document_loads_with_questions_in_order(alice):
    version = questionnaires.load(GOOD, user=alice)
    assert version.created_by == alice
    assert [q.key for q in version.questions.all()] == ["overall", "pains"]
    assert version.questions.get(key="pains").help == "Anything."
    assert questionnaires.export(version)["questions"][0]["text"] == "How is IT?"


def test_a_bad_document_names_every_problem_and_saves_nothing():
    doc = copy.deepcopy(GOOD)
    doc["key"] = "Bad Key"
    doc["colour"] = "blue"
    doc["questions"] = [
        {"key": "overall", "kind": "stars", "text": "x" * 301},
        {"key": "overall", "kind": "pain", "text": "", "required": "yes"},
        "not an object",
    ]
    with pytest.raises(questionnaires.QuestionnaireFileError) as caught:
        questionnaires.load(doc)
    problems = caught.value.problems
    assert any("'key': 'Bad Key'" in p for p in problems)
    assert any("unknown field 'colour'" in p for p in problems)
    assert any("question 1 (overall): 'kind' 'stars'" in p for p in problems)
    assert any("question 1 (overall): 'text' is longer than 300" in p for p in problems)
    assert any("question 2 (overall): duplicate question key" in p for p in problems)
    assert any("question 2 (overall): 'text' is missing" in p for p in problems)
    assert any("question 2 (overall): 'required' must be true or false" in p for p in problems)
    assert any("question 3: must be an object" in p for p in problems)
    assert not Questionnaire.objects.exists()
    assert not Question.objects.exists()


def test_a_version_is_never_loaded_twice():
    questionnaires.load(GOOD)
    with pytest.raises(questionnaires.QuestionnaireFileError, match="version '1' already exists"):
        questionnaires.load(GOOD)
    assert QuestionnaireVersion.objects.count() == 1


def test_copy_makes_an_editable_new_version_with_the_same_questions(alice):
    version = questionnaires.publish(questionnaires.load(GOOD))
    copy_ = questionnaires.copy_version(version, "2", alice)
    assert copy_.version == "2" and not copy_.frozen and copy_.created_by == alice
    assert [(q.key, q.text) for q in copy_.questions.all()] == [
        (q.key, q.text) for q in version.questions.all()
    ]
    question = copy_.questions.get(key="overall")
    questionnaires.edit_question(question, text="How is IT now?")
    assert version.questions.get(key="overall").text == "How is IT?"


def test_a_frozen_version_refuses_a_question_edit():
    version = questionnaires.load(GOOD)
    question = version.questions.get(key="overall")
    questionnaires.publish(version)
    first_published = QuestionnaireVersion.objects.get(pk=version.pk).published_at
    questionnaires.publish(version)  # idempotent
    assert QuestionnaireVersion.objects.get(pk=version.pk).published_at == first_published
    with pytest.raises(questionnaires.FrozenVersionError, match="is frozen.*new version"):
        questionnaires.edit_question(question, text="Changed after answers came in")
    assert Question.objects.get(pk=question.pk).text == "How is IT?"
