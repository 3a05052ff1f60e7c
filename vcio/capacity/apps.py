from django.apps import AppConfig


class CapacityConfig(AppConfig):
    name = "vcio.capacity"
    label = "capacity"
    verbose_name = "Capacity: metrics from agents, rollups, utilisation, forecasts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (worker loops, figures, demo...), through core's registries.
        from vcio.capacity import registrations

        registrations.register()
