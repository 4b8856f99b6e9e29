class DomainConflict(Exception):
    """A workflow action not allowed in the object's current state: the API answers 409 with this message."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra
