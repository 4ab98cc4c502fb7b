"""Exceptions raised by citytwin."""


class Error(RuntimeError):
    """A failure the caller can fix (bad input, missing file); the message is the command line's."""


class InputError(Error, ValueError):
    """Invalid input, with where it was found.

    Attributes:
        file: the input file ("" for a scenario built in code).
        line: its line (0 when unknown or built in code).
        key: the setting, e.g. "duration" or "variant[1].intervention[2].value".
        problem: the message without its location.
    The message (str(error)) is the one `citytwin run` prints for the same input.
    """

    def __init__(self, message, file="", line=0, key="", problem=""):
        super().__init__(message)
        self.file = file
        self.line = line
        self.key = key
        self.problem = problem or message
