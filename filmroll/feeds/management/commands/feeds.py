from django.core.management.base import BaseCommand, CommandError

from filmroll.accounts.models import User
from filmroll.feeds import home
from filmroll.sharding import ids


class Command(BaseCommand):
    help = "Rebuild home feeds from the graph and the media (the feed store is only a cache)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser("rebuild", help="rebuild one user's feed, or everyone's")
        rebuild.add_argument("--user", help="a user ID or username (default: every user)")

    def handle(self, *args, action: str, user: str | None, **options):
        if user:
            found = User.objects.filter(username=user.lower()).first()
            if found is None and user.isdigit():
                found = User.objects.filter(id=ids.parse(user)).first()
            if found is None:
                raise CommandError(f"no user {user!r}: give a user ID or username")
            people = [found.id]
        else:
            people = list(User.objects.filter(is_active=True).values_list("id", flat=True))
        for done, user_id in enumerate(people, 1):
            home.rebuild(user_id)
            if done % 100 == 0 or done == len(people):
                self.stdout.write(f"rebuilt {done}/{len(people)} feeds")
