"""The store's one error, apart from its tables: catching it costs no SQLAlchemy."""


class StoreError(Exception):
    """The store cannot be opened or written; the message names it."""
