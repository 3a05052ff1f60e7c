from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "vcio.practice"
    label = "practice"
    verbose_name = "Practice: fees, people's cost and capacity, time, margins"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from vcio.practice import registrations

        registrations.register()
