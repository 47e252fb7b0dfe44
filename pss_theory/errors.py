"""Errors a user can cause (bad sizes, files, devices, tables).  The command line turns each into
one line on stderr and exit code 2; any other exception is a bug and fails loudly."""


class InputError(ValueError):
    """Bad input from the user: the message says what is wrong and what is expected."""
