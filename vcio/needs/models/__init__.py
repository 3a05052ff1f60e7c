from vcio.needs.models.needs import NEED_TEXT_MAX, Need, NeedKind, NeedStatus, Urgency
from vcio.needs.models.questionnaires import (
    NEED_KINDS,
    RATING_KINDS,
    ChangeKind,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
)
from vcio.needs.models.surveys import Answer, Invitation, SurveyRound

__all__ = [
    "NEED_KINDS",
    "NEED_TEXT_MAX",
    "RATING_KINDS",
    "Answer",
    "ChangeKind",
    "Invitation",
    "Need",
    "NeedKind",
    "NeedStatus",
    "Question",
    "QuestionKind",
    "Questionnaire",
    "QuestionnaireVersion",
    "SurveyRound",
    "Urgency",
]
