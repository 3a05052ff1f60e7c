"""Topic models in the database: the fitted classifier as joblib bytes in ``TopicModel.blob``.

Every training adds a version; the newest active model of a client (else
the newest practice-wide one) assigns that client's topics.
"""

from __future__ import annotations

import io

import joblib
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from vcio.helpdesk.models import TopicModel
from vcio.helpdesk.topics.learned import METHOD, TopicClassifier, TrainResult

DEFAULT_THRESHOLD = 0.5


def to_bytes(model: TopicClassifier) -> bytes:
    """The fitted model as compressed joblib bytes."""
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def from_bytes(blob: bytes | memoryview) -> TopicClassifier:
    """The fitted model back from ``to_bytes``."""
    return joblib.load(io.BytesIO(bytes(blob)))


def save_model(
    result: TrainResult,
    *,
    client=None,
    user=None,
    threshold: float = DEFAULT_THRESHOLD,
    method: str = METHOD,
) -> TopicModel:
    """Store a trained model as the next version of its scope (practice-wide or ``client``)."""
    with transaction.atomic():
        scope = TopicModel.objects.select_for_update().filter(client=client)
        version = (scope.aggregate(v=Max("version"))["v"] or 0) + 1
        return TopicModel.objects.create(
            client=client,
            version=version,
            trained_at=timezone.now(),
            trained_by=user if getattr(user, "is_authenticated", False) else None,
            method=method,
            labels=[str(c) for c in result.model.classes],
            metrics=result.metrics,
            n_train=result.n_train,
            train_seconds=round(result.train_seconds, 3),
            threshold=threshold,
            blob=to_bytes(result.model),
        )


def active_model_row(client) -> TopicModel | None:
    """The model that assigns ``client``'s topics: its own newest, else the practice's newest."""
    own = TopicModel.objects.filter(client=client, is_active=True).order_by("-version").first()
    if own is not None:
        return own
    return TopicModel.objects.filter(client=None, is_active=True).order_by("-version").first()
