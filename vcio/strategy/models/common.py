"""Field helpers shared by the strategy models."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# Amounts in the client's currency; never negative.
money = {
    "max_digits": 14,
    "decimal_places": 2,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0"))],
}
# A recurring amount a year: a cost, or a saving written as a negative cost (dropping unused
# licence seats), so the budget, the score and the optimiser all count what an initiative saves.
money_or_saving = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}
days = {
    "max_digits": 8,
    "decimal_places": 1,
    "default": Decimal("0"),
    "validators": [MinValueValidator(Decimal("0"))],
}
one_to_five = [MinValueValidator(1), MaxValueValidator(5)]
percent = [MinValueValidator(0), MaxValueValidator(100)]


def not_negative(name: str, *fields: str) -> list[models.CheckConstraint]:
    """A database guard per field, so no path (admin, API, bulk update) stores a negative."""
    return [
        models.CheckConstraint(condition=models.Q(**{f"{f}__gte": 0}), name=f"{name}_{f}_not_neg")
        for f in fields
    ]


def same_client(obj: models.Model, field: str, client_id: int | None) -> None:
    """Refuse a link to a row of another client (it would join two clients' data)."""
    target = getattr(obj, field, None)
    if target is not None and target.client_id != client_id:
        label = obj._meta.get_field(field).verbose_name
        raise ValidationError({field: f"This {label} belongs to another client."})
