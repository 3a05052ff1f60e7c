from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "vcio.needs"
    label = "needs"
    verbose_name = "Needs: department surveys, needs, satisfaction, coverage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (figures, recommendations, demo...), through core's registries.
        from vcio.needs import registrations

        registrations.register()
