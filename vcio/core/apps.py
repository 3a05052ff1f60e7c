from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vcio.core"
    label = "core"
    verbose_name = "vcio core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # core registers its own contributions exactly as other apps do.
        from vcio.core import (
            demo,
            figures,
            importing,
            jobs,
            links,  # noqa: F401 - registers its `check --deploy` warning
            tabs,
        )

        figures.register()
        importing.register()
        demo.register()
        jobs.register()
        tabs.register()
