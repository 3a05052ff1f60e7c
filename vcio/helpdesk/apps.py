from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "vcio.helpdesk"
    label = "helpdesk"
    verbose_name = "Help desk: tickets, topics, response times, recurring problems"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole (figures, demo, tabs...), through core's registries.
        from vcio.helpdesk import registrations

        registrations.register()
