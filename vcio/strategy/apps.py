from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "vcio.strategy"
    label = "strategy"
    verbose_name = "Strategy: goals, recommendations, initiatives"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Periodic jobs (recommendation sync, KPI refresh), through core's registries only.
        from vcio.strategy import demo, kpis, recommend

        recommend.register()
        kpis.register()
        demo.register()
