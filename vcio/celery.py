"""The Celery application for scale-out (VCIO_QUEUE=celery).

``vcio worker`` still decides what is due and claims it (the same
conditional UPDATE as in-process checking); Celery only carries the claimed
checks over Redis to any number of machines running::

    celery -A vcio.celery worker --loglevel=info

Those run the same check and recording functions as the in-process engine.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcio.settings")

app = Celery("vcio")


def configure(celery: Celery) -> None:
    from django.conf import settings

    celery.conf.update(
        broker_url=settings.VCIO_REDIS_URL,
        task_ignore_result=True,
        # Early acknowledgement: a worker that dies mid-check loses that check, and the
        # monitor's lease expiring brings it back, exactly as with in-process checking.
        # Late acks would redeliver it and could run a slot twice.
        task_acks_late=False,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        accept_content=["json"],
    )


def _load() -> None:
    import django

    django.setup()  # a no-op inside vcio; needed when `celery -A vcio.celery` starts
    configure(app)
    app.autodiscover_tasks(["vcio.availability"])


_load()
