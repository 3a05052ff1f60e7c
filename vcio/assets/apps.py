from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "vcio.assets"
    label = "assets"
    verbose_name = "Assets and lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Contributions to the whole, through core's registries only.
        from vcio.assets import registrations

        registrations.register()
