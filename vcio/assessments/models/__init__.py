from vcio.assessments.models.assessments import (
    Answer,
    AnswerSource,
    AnswerStatus,
    Assessment,
    AssessmentStatus,
    Evidence,
)
from vcio.assessments.models.frameworks import Framework, FrameworkVersion, Item, Section
from vcio.assessments.models.risks import Risk, Treatment

__all__ = [
    "Answer",
    "AnswerSource",
    "AnswerStatus",
    "Assessment",
    "AssessmentStatus",
    "Evidence",
    "Framework",
    "FrameworkVersion",
    "Item",
    "Risk",
    "Section",
    "Treatment",
]
