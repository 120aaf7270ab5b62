from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from jsna.services import demo_login_create


class Command(BaseCommand):
    help = "Create (or reset) the local demo login with all three roles. Refused with DEBUG off."

    def handle(self, *args: object, **options: object) -> None:
        try:
            username, password = demo_login_create()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Demo login — username: {username}  password: {password}")
        )
