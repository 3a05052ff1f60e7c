from django.apps import AppConfig


class AvailabilityConfig(AppConfig):
    name = "vcio.availability"
    label = "availability"
    verbose_name = "Availability: services, monitors, outages, SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (worker loops, figures, demo...), through core's registries.
        from vcio.availability import registrations

        registrations.register()
