from django.core.management.base import BaseCommand

from filmroll.accounts.models import User
from filmroll.ops import demo


class Command(BaseCommand):
    help = "Fill an empty install with demo people, follows and photos (does nothing otherwise)."

    def add_arguments(self, parser):
        parser.add_argument("--photos", type=int, default=240, help="how many photos (%(default)s)")

    def handle(self, *args, photos: int, **options):
        if User.objects.exists():
            self.stdout.write("this install already has people: no demo data added")
        else:
            demo.seed(photos, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo account: username {demo.NAMES[0][0]!r}, password {demo.PASSWORD!r}"
            )
        )
