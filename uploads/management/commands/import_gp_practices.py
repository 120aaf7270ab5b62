from needs.models import DatasetKind
from uploads.commands import ImportCommand


class Command(ImportCommand):
    kind = DatasetKind.GP_PRACTICES
