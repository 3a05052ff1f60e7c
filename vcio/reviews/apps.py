from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "vcio.reviews"
    label = "reviews"
    verbose_name = "Reviews: cadence, snapshots, reports, portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (jobs, demo, tabs...), through core's registries.
        from vcio.reviews import registrations

        registrations.register()
