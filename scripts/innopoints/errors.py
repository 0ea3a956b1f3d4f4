"""The exceptions the `innopoints` command reports to its user: one base, one subclass per kind of
failure, each with the exit code the command ends with (documented in the README)."""

from __future__ import annotations


class InnopointsError(RuntimeError):
    """A failure the user can act on; the message says what happened and what to do."""

    exit_code = 1


class UsageError(InnopointsError):
    """The arguments or the input are not valid (a malformed USCC, an unknown scheme)."""

    exit_code = 2


class NeedsChoice(InnopointsError):
    """The request matches several things and nobody is there to choose (a name shared by enterprises)."""

    exit_code = 5


class ConfigError(InnopointsError):
    """The configuration (environment variables, the named database) cannot be used as given."""

    exit_code = 4


class StateError(InnopointsError):
    """A file under .state/ is missing or damaged and cannot be recovered by itself."""

    exit_code = 4


class ServiceError(InnopointsError):
    """A service the command needs (PostgreSQL, Superset) is not installed or does not answer."""

    exit_code = 3
