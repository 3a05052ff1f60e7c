"""API routes: topics (joined in helpdesk/api/urls.py).

- ``/api/helpdesk/topics/``: ``?client=``, ``?kind=``; PATCH ``name``; POST ``{id}/merge/``
  ``{into}``, POST ``{id}/split/`` ``{parts}``.
- ``/api/helpdesk/topic-models/``: read only, versions with their held-out metrics.
- ``/api/helpdesk/topic-review/``: unsure assignments; POST ``{ticket, topic}`` decides one.
"""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from vcio.helpdesk.api import topics

router = SimpleRouter()
router.register("helpdesk/topics", topics.TopicViewSet, basename="topic")
router.register("helpdesk/topic-models", topics.TopicModelViewSet, basename="topicmodel")
router.register("helpdesk/topic-review", topics.TopicReviewViewSet, basename="topicreview")

urlpatterns = router.urls
