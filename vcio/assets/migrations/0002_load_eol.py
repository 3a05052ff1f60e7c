"""Load the shipped end-of-support table (vcio/assets/data/eol.json).

Idempotent: shipped rows are created or updated, practice rows are left
alone. ``vcio eol sync`` runs the same function after an upgrade.
"""

from django.db import migrations


def load_shipped(apps, schema_editor):
    from vcio.assets.eol import sync_shipped

    sync_shipped(apps.get_model("assets", "EolRule"))


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(load_shipped, migrations.RunPython.noop)]
