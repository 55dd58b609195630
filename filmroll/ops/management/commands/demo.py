from django.core.management.base import BaseCommand

from filmroll import argtypes
from filmroll.accounts.models import User
from filmroll.ops import demo


class Command(BaseCommand):
    help = (
        "Fill an empty install with a demo community: people with avatars and bios who follow"
        " each other, post photographs with places and tags, like and comment (does nothing"
        " when the install has people already)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--photos", type=argtypes.whole(0, 10_000), default=demo.PHOTOS,
            help="how many photos to post (%(default)s)",
        )  # fmt: skip

    def handle(self, *args, photos: int, **options):
        if User.objects.exists():
            self.stdout.write("this install already has people: no demo data added")
        else:
            demo.seed(photos, progress=self.stdout.write)
        line = demo.login_line()
        if line:
            self.stdout.write(self.style.SUCCESS(line))
