"""The exceptions the `innopoints` command reports to its user: one base, one subclass per kind of
failure, each with the exit code the command ends with. The README's "Exit codes" table lists the
same codes (a test keeps the two equal); ``EXIT_CODES`` is that table."""

from __future__ import annotations


class InnopointsError(RuntimeError):
    """A failure the user can act on; the message says what happened and what to do."""

    exit_code = 1
    meaning = "any other failure (the message says what happened)"


class UsageError(InnopointsError, ValueError):
    """The arguments or the input are not valid (a malformed USCC, an unknown scheme or bank); also a
    ValueError, as a function's bad argument is."""

    exit_code = 2
    meaning = "usage: arguments not valid (an unknown command, a malformed USCC, a missing option)"


class ServiceError(InnopointsError):
    """A service the command needs (PostgreSQL, Superset) is not installed or does not answer."""

    exit_code = 3
    meaning = "a service is down: PostgreSQL or Superset not installed, not running or not answering"


class ConfigError(InnopointsError):
    """The configuration (environment variables, the named database) cannot be used as given."""

    exit_code = 4
    meaning = "configuration: an environment variable or the named database cannot be used"


class NeedsChoice(InnopointsError):
    """The request matches several things and nobody is there to choose (a name shared by enterprises)."""

    exit_code = 5
    meaning = "needs a choice: several matches (e.g. enterprises sharing a name); rerun with one"


class StateError(InnopointsError):
    """A file under .state/ is missing or damaged and cannot be recovered by itself."""

    exit_code = 6
    meaning = "state: a file under .state/ is missing or damaged"


class NotFound(InnopointsError):
    """What the command was asked about does not exist (an enterprise, a file, a publication)."""

    exit_code = 7
    meaning = "not found: the enterprise, file or publication asked for does not exist"


class InputRefused(InnopointsError):
    """Input data was refused: a feed file refused, rows quarantined under --strict, the quality gate failed."""

    exit_code = 8
    meaning = "input refused: a feed file refused, rows quarantined (--strict) or the data-quality gate failed"


class BuildFailed(InnopointsError):
    """dbt did not finish (a model or one of its tests failed)."""

    exit_code = 9
    meaning = "build failed: dbt stopped on a model or a test"


class PublicationRefused(InnopointsError):
    """The gate or the cycle says no to a publicity or final list (or an objection); nothing was written."""

    exit_code = 10
    meaning = "publication refused: the gate or the cycle says no (nothing was written)"


class PushError(InnopointsError):
    """A push to a partner bank cannot be written as asked; nothing was written."""

    exit_code = 11
    meaning = "push refused: no such bank or publication, or the publication may not be pushed"


class Interrupted(InnopointsError):
    """Ctrl-C."""

    exit_code = 130
    meaning = "interrupted (Ctrl-C)"


ERROR_KINDS: tuple[type[InnopointsError], ...] = (
    InnopointsError, UsageError, ServiceError, ConfigError, NeedsChoice, StateError, NotFound, InputRefused,
    BuildFailed, PublicationRefused, PushError, Interrupted,
)
EXIT_CODES: dict[int, str] = {0: "done", **{kind.exit_code: kind.meaning for kind in ERROR_KINDS}}
