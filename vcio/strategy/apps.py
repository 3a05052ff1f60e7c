from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "vcio.strategy"
    label = "strategy"
    verbose_name = "Strategy: goals, recommendations, initiatives"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Periodic jobs, demo data and the client tabs, through core's registries only.
        from importlib import import_module

        for name in ("recommend", "kpis", "demo", "tabs", "review", "dashboard"):
            try:
                module = import_module(f"vcio.strategy.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"vcio.strategy.{name}":
                    raise
                continue  # that part is not written yet
            module.register()
