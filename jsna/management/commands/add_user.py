import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jsna.roles import ROLE_PERMISSIONS
from jsna.services import UserInvalid, user_with_roles_save


class Command(BaseCommand):
    help = (
        "Add a user with one or more roles (analyst, commissioner, jsna_manager), or with "
        "--update give an existing user exactly these roles. A new user's password is made and "
        "printed once, unless --password-stdin reads one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role", dest="roles", action="append", required=True,
            choices=list(ROLE_PERMISSIONS), help="a role to give (repeat for several)",
        )  # fmt: skip
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true",
            help="read the password from the first line of standard input",
        )  # fmt: skip
        parser.add_argument(
            "--update", action="store_true",
            help="change an existing user: set its roles (and password with --password-stdin)",
        )  # fmt: skip
        parser.add_argument(
            "--staff", action="store_true", help="may also sign in to the admin (/admin/)"
        )

    def handle(self, *args: object, **options: object) -> None:
        password = None
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input.")
        try:
            saved = user_with_roles_save(
                username=options["username"],
                roles=options["roles"],
                email=options["email"],
                password=password,
                update=options["update"],
                staff=options["staff"],
            )
        except UserInvalid as error:
            raise CommandError(str(error)) from error
        verb = "Added" if saved.created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {saved.username} with roles {', '.join(saved.roles)}.")
        )
        if saved.password:
            self.stdout.write(f"Password (shown once; pass it on safely): {saved.password}")
