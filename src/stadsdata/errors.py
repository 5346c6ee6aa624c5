"""Errors a user can cause. Each says what is wrong, where, and what was expected.

The CLI prints ``str(error)`` as one line and exits non-zero; the API (later) maps the
subclass to an RFC 9457 problem with the right status.
"""

from __future__ import annotations


class StadsdataError(Exception):
    """Base class: a user-facing error with a one-line message."""

    exit_code = 2
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class ContractError(StadsdataError):
    """A dataset contract (YAML) is broken: names the file and the field."""

    http_status = 422


class IdentifierError(StadsdataError):
    """A dataset id or other identifier is not acceptable."""

    http_status = 422


class NotFoundError(StadsdataError):
    http_status = 404


class DeliveryError(StadsdataError):
    """A delivery was rejected: names the file, row and column where they apply."""

    http_status = 422


class SQLError(StadsdataError):
    """A query could not be run."""


class SettingsError(StadsdataError):
    pass


class ConflictError(StadsdataError):
    """The requested change conflicts with the current state (e.g. a dataset id already taken)."""

    http_status = 409


class QuarantinedError(DeliveryError):
    """A delivery broke a blocking quality rule: kept in quarantine with its report, not published."""


class GovernanceError(StadsdataError):
    """A governance request that cannot be taken as it is (an opgave without a purpose, an end
    date past the maximum, ...): one line naming the field."""

    http_status = 422


class AccessDeniedError(StadsdataError):
    """The access policy said no: the action, the resource and the policy's reason."""

    http_status = 403


class IdentityError(StadsdataError):
    """A user, role, grant or token request that breaks a rule (password policy, role scope, ...)."""

    http_status = 422


class AuthenticationError(StadsdataError):
    """Who is asking cannot be established: a wrong password, an unknown, expired or revoked token,
    an ended session."""

    http_status = 401


class CsrfError(StadsdataError):
    """A form was posted without the CSRF token of the session that sent it."""

    http_status = 403


class DisclosureError(StadsdataError):
    """A table handed to disclosure control is not one it can check (says what and where)."""

    http_status = 422


class WorkspaceGoneError(StadsdataError):
    """The workspace was destroyed: its data no longer exists anywhere."""

    http_status = 410


class RegisterError(StadsdataError):
    """An algorithm register entry that does not meet the Algoritmeregister standard v1.0 (or an
    import file that cannot be read): one line naming the field and what was expected. ``problems``
    holds every problem found, when there are several."""

    http_status = 422

    def __init__(self, message: str, problems: tuple[object, ...] | list[object] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


class IndicatorError(StadsdataError):
    """An indicator definition (or themes.yaml) that cannot be used: one line naming the file, the
    field and what was expected. The set loaded before stays in use."""

    http_status = 422


class ModelError(StadsdataError):
    """A model cannot run on the data it was given (a dataset without a needed column, no usable
    wijk): one line naming the dataset, the column and what was expected. Nothing is changed."""

    http_status = 422
