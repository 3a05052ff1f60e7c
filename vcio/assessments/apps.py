from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "vcio.assessments"
    label = "assessments"
    verbose_name = "Assessments: standards, live evidence, alignment, risks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (figures, demo, tabs...), through core's registries.
        from vcio.assessments import registrations

        registrations.register()
