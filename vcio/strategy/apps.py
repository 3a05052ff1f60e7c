from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "vcio.strategy"
    label = "strategy"
    verbose_name = "Strategy: goals, recommendations, initiatives"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Periodic jobs, demo data and the client tabs, through core's registries only.
        from vcio.core.registry import register_parts

        register_parts(
            "vcio.strategy",
            ("recommend", "kpis", "demo", "tabs", "review", "dashboard", "coverage"),
        )
