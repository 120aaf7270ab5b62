"""Path converters shared by every app's URLs."""


class IdConverter:
    """A database id: 1 to 18 digits, so any id it matches fits a 64-bit integer column.

    Django's `int` matches any number of digits; an id beyond the database's range then fails in
    the query (a server error) instead of answering 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
