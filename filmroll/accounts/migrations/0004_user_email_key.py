from django.db import migrations, models

from filmroll.accounts import emailkeys


def fill_email_keys(apps, schema_editor):
    emailkeys.rekey(apps.get_model("accounts", "User"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_two_factor")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fill_email_keys, migrations.RunPython.noop),
    ]
