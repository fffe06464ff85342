"""Errors that carry a message meant for the user, not a traceback."""


class InputError(ValueError):
    """The input cannot be read as a release (empty, binary, too large, no text, bad encoding)."""
