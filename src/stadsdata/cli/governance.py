"""``stadsdata users``, ``stadsdata tokens`` and ``stadsdata audit``; and who every command acts as.

The command line acts as the settings' ``user`` (``STADSDATA_USER``, by default the login name of
the machine). When that name is a user of the platform, the access policy judges that user's roles
and grants. When it is not (a fresh machine, the account that ran ``stadsdata demo``, CI), it is
the **operator**: an actor with that name and the ``platform_admin`` role, recorded in the audit
log under its name. Whoever has a shell on the platform's home has its files anyway; and like the
admin, the operator reads no rows of a non-public dataset without a grant.

Every command asks the policy: the dataset commands through ``Platform`` and ``CatalogAccess``,
the opgaven, workspaces and Datashop through their areas, and the commands here through
``Governance.require`` (changes to users, roles, grants and others' tokens: ``manage_users``; the
audit log: ``view_audit``). A refusal is audited and is one line with the policy's reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.table import Table

from stadsdata.cli.output import err, kv_table, out, when
from stadsdata.core.access import Action, Actor, Decision, Role, RoleGrant
from stadsdata.errors import AccessDeniedError, GovernanceError, StadsdataError
from stadsdata.governance.audit import AuditLog
from stadsdata.governance.identity import RESERVED_NAMES, Identity
from stadsdata.platform import Platform
from stadsdata.settings import Settings

users_app = typer.Typer(help="Users of the portal and API: roles, data grants, deactivation.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens: scoped, expiring, revocable.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log: list and verify.", no_args_is_help=True)

#: The operator's roles: someone with a shell on the platform's home administers it.
OPERATOR_ROLES = frozenset({RoleGrant(Role.platform_admin)})


def cli_actor(platform: Platform) -> tuple[Actor, bool]:
    """Who the command line acts as, and whether that is the operator (the settings' ``user`` is
    not a user of the platform). A deactivated user cannot act."""
    name = platform.settings.user
    if platform.identity.unknown_users([name]):
        if name.lower() in RESERVED_NAMES:
            raise GovernanceError(f"STADSDATA_USER {name!r} is reserved for the audit log; act under your own name")
        return Actor(user=name, roles=OPERATOR_ROLES), True
    return platform.identity.actor_for(name), False


@dataclass
class Governance:
    platform: Platform
    identity: Identity
    audit: AuditLog
    user: str  # who is acting: the settings' user
    actor: Actor
    operator: bool  # the settings' user is not a user of the platform

    def require(self, action: Action, resource: str, command: str) -> Decision:
        """Ask the policy about a platform action (``manage_users``, ``view_audit``): a no is
        audited and raised; a yes is recorded by what follows (the change's own entry, or
        ``reading``)."""
        decision = self.platform.policy.can(self.actor, action)
        if not decision.allowed:
            self.audit.append(self.actor, action, resource, decision, detail={"via": "cli", "command": command})
            raise AccessDeniedError(f"{action.value} on {resource}: {decision.reason}")
        return decision

    @contextmanager
    def reading(self, action: Action, resource: str, command: str) -> Iterator[None]:
        """A read the policy allows, audited once it is done (so that a listing or verification of
        the audit log covers the log as it was when asked)."""
        decision = self.require(action, resource, command)
        yield
        self.audit.append(self.actor, action, resource, decision, detail={"via": "cli", "command": command})

    def person(self, what: str) -> str:
        """The acting user's name, for what only a user of the platform can do (own a token,
        request an opgave, ask the Datashop): the operator is no user."""
        if self.operator:
            raise GovernanceError(
                f"{self.user!r} is not a user of the platform, so it cannot {what}; "
                "set STADSDATA_USER to your user (or add it with `stadsdata users add`)"
            )
        return self.user


@contextmanager
def governance(ctx: typer.Context) -> Iterator[Governance]:
    """The platform of ``--home`` (the root command's option), identity, the audit log and the
    actor of the settings' user."""
    home = ctx.find_root().params.get("home")
    settings = Settings(home=home) if home else Settings()
    with Platform(settings) as platform:
        actor, operator = cli_actor(platform)
        yield Governance(platform, platform.identity, platform.audit, settings.user, actor, operator)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise StadsdataError("--password-stdin: no password on standard input")
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


# -- users ---------------------------------------------------------------------------------------
@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    display_name: Annotated[str, typer.Option("--display-name", help="Full name as shown.")],
    email: Annotated[str | None, typer.Option("--email", help="E-mail address.")] = None,
    dienst: Annotated[str | None, typer.Option("--dienst", help="The dienst (department) the user works for.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
    ] = False,
) -> None:
    """Add a user (the password is asked for, or read with --password-stdin)."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"user:{name}", "users add")
        password = _read_password(password_stdin)
        user = g.identity.add_user(
            name, display_name=display_name, email=email, dienst=dienst, password=password, by=g.user
        )
    out.print(f"added user [bold]{user.name}[/] ({user.display_name}{', ' + user.dienst if user.dienst else ''})")
    if g.operator and name == g.user:
        err.print(
            f"note: {name} is now a user of the platform, without roles: from now on commands act with "
            f"its roles and grants; give it a role now, e.g. `stadsdata users role {name} platform_admin`, "
            "from another STADSDATA_USER that is no user"
        )


@users_app.command("list")
def users_list(
    ctx: typer.Context,
) -> None:
    """Every user with their roles."""
    with governance(ctx) as g, g.reading(Action.manage_users, "users", "users list"):
        users = g.identity.list_users()
        roles: dict[str, list[str]] = {}
        for r in g.identity.all_roles():
            roles.setdefault(r.user_name, []).append(f"{r.role}:{r.scope}" if r.scope else r.role)
    table = Table(header_style="bold")
    for column in ("name", "display name", "e-mail", "dienst", "active", "roles", "since"):
        table.add_column(column, overflow="fold")
    for u in users:
        table.add_row(
            u.name,
            u.display_name,
            u.email or "",
            u.dienst or "",
            "yes" if u.active else "no",
            ", ".join(roles.get(u.name, [])),
            when(u.created_at),
        )
    out.print(table)
    out.print(f"{len(users)} users", style="dim")


@users_app.command("show")
def users_show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """One user: roles, data grants and tokens (your own, or anyone's with manage_users)."""
    with governance(ctx) as g:
        own = not g.operator and name == g.user
        with contextlib.nullcontext() if own else g.reading(Action.manage_users, f"user:{name}", "users show"):
            u = g.identity.get_user(name)
            roles = g.identity.roles(name)
            grants = g.identity.grants(name)
            tokens = g.identity.list_tokens(name)
    out.print(
        kv_table(
            [
                ("user", u.name),
                ("display name", u.display_name),
                ("e-mail", u.email or "-"),
                ("dienst", u.dienst or "-"),
                ("active", "yes" if u.active else "no (deactivated)"),
                ("since", when(u.created_at)),
                ("roles", ", ".join(f"{r.role}:{r.scope}" if r.scope else r.role for r in roles) or "-"),
                ("tokens", ", ".join(f"#{t.id} {t.name}" for t in tokens) or "-"),
            ]
        )
    )
    if grants:
        table = Table(header_style="bold", title="Data grants")
        for column in ("id", "dataset", "level", "columns", "opgave", "expires", "revoked", "reason"):
            table.add_column(column, overflow="fold")
        for gr in grants:
            table.add_row(
                str(gr.id),
                gr.dataset_id,
                gr.level,
                ", ".join(gr.columns) if gr.columns is not None else "all",
                str(gr.opgave_id or ""),
                when(gr.expires_at),
                when(gr.revoked_at),
                gr.reason,
            )
        out.print(table)


@users_app.command("role")
def users_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="platform_admin, governance_board, data_officer, data_owner, ...")],
    scope: Annotated[
        str | None, typer.Option("--scope", help="Dataset id (data_owner, data_steward) or dienst (data_officer).")
    ] = None,
) -> None:
    """Give a user a role."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"user:{name}", "users role")
        r = g.identity.assign_role(name, role, scope, by=g.user)
    out.print(f"{r.user_name} is now {r.role}" + (f" for {r.scope}" if r.scope else ""))


@users_app.command("revoke-role")
def users_revoke_role(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Argument(help="The role to take away.")],
    scope: Annotated[str | None, typer.Option("--scope", help="Dataset id or dienst of a scoped role.")] = None,
) -> None:
    """Take a role away from a user."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"user:{name}", "users revoke-role")
        r = g.identity.revoke_role(name, role, scope, by=g.user)
    out.print(f"{r.user_name} is no longer {r.role}" + (f" for {r.scope}" if r.scope else ""))


@users_app.command("deactivate")
def users_deactivate(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Stop a user from logging in: their sessions end and their tokens are revoked."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"user:{name}", "users deactivate")
        g.identity.deactivate(name, by=g.user)
    out.print(f"deactivated {name}: sessions ended, tokens revoked")


@users_app.command("grant")
def users_grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name.")],
    dataset: Annotated[str, typer.Argument(help="Dataset id.")],
    level: Annotated[str, typer.Option("--level", help="read, pseudonymised or aggregated.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (recorded with the grant).")],
    column: Annotated[
        list[str] | None, typer.Option("--column", help="Only this column (repeat for more). Default: all.")
    ] = None,
    days: Annotated[int | None, typer.Option("--days", help="Expires after this many days. Default: never.")] = None,
    opgave: Annotated[int | None, typer.Option("--opgave", help="The opgave the grant serves.")] = None,
) -> None:
    """Give a user access to a dataset's data at a level."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"user:{name}", "users grant")
        expires = g.identity.clock() + dt.timedelta(days=days) if days is not None else None
        gr = g.identity.add_grant(
            name, dataset, level, reason=reason, by=g.user, columns=column, opgave_id=opgave, expires_at=expires
        )
    out.print(
        f"grant {gr.id}: {gr.user_name} may see {gr.dataset_id} at level {gr.level}"
        + (f" (columns {', '.join(gr.columns)})" if gr.columns else "")
        + (f" until {when(gr.expires_at)}" if gr.expires_at else "")
    )


@users_app.command("revoke-grant")
def users_revoke_grant(
    ctx: typer.Context, grant_id: Annotated[int, typer.Argument(help="Grant id (see `stadsdata users show`).")]
) -> None:
    """Revoke a data grant."""
    with governance(ctx) as g:
        g.require(Action.manage_users, f"grant:{grant_id}", "users revoke-grant")
        gr = g.identity.revoke_grant(grant_id, by=g.user)
    out.print(f"revoked grant {gr.id} ({gr.user_name} on {gr.dataset_id})")


# -- tokens --------------------------------------------------------------------------------------
@tokens_app.command("create")
def tokens_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. 'notebook'.")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="An action the token may be used for (repeat), e.g. read_data.")
    ],
    days: Annotated[int | None, typer.Option("--days", help="Lifetime in days (default and maximum: 90).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Whose token (default: the settings' user).")] = None,
) -> None:
    """Create an API token (your own, or another user's with manage_users). Its secret is printed
    this once: store it now."""
    with governance(ctx) as g:
        owner = user or g.person("own an API token (give --user)")
        if owner != g.user or g.operator:
            g.require(Action.manage_users, f"user:{owner}", "tokens create")
        issued = g.identity.create_token(owner, name, scope, days, by=g.user)
    t = issued.token
    out.print(f"token {t.id} ({t.name}) for {t.user_name}, scopes {', '.join(t.scopes)}, expires {when(t.expires_at)}")
    out.print("secret (shown only now; send it as 'Authorization: Bearer <secret>'):")
    out.print(issued.secret, soft_wrap=True, markup=False)


@tokens_app.command("list")
def tokens_list(
    ctx: typer.Context, user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None
) -> None:
    """API tokens: everyone's (or --user's) with manage_users, otherwise your own. Their secrets
    are not stored, so never shown."""
    with governance(ctx) as g:
        own = not g.operator and user in (None, g.user)
        if own and not g.platform.policy.can(g.actor, Action.manage_users).allowed:
            tokens = g.identity.list_tokens(g.user)
        else:
            with g.reading(Action.manage_users, f"user:{user}" if user else "tokens", "tokens list"):
                tokens = g.identity.list_tokens(user)
        now = g.identity.clock()
    table = Table(header_style="bold")
    for column in ("id", "user", "name", "scopes", "created", "expires", "state", "last used"):
        table.add_column(column, overflow="fold")
    for t in tokens:
        state = f"revoked {when(t.revoked_at)}" if t.revoked_at else "expired" if now >= t.expires_at else "active"
        table.add_row(
            str(t.id),
            t.user_name,
            t.name,
            ", ".join(t.scopes),
            when(t.created_at),
            when(t.expires_at),
            state,
            when(t.last_used_at),
        )
    out.print(table)
    out.print(f"{len(tokens)} tokens", style="dim")


@tokens_app.command("revoke")
def tokens_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="Token id (see `stadsdata tokens list`).")]
) -> None:
    """Revoke an API token (your own, or anyone's with manage_users): it stops working at once."""
    with governance(ctx) as g:
        own = not g.operator and any(t.id == token_id for t in g.identity.list_tokens(g.user))
        if not own:
            g.require(Action.manage_users, f"token:{token_id}", "tokens revoke")
        t = g.identity.revoke_token(token_id, by=g.user)
    out.print(f"revoked token {t.id} ({t.name}) of {t.user_name}")


# -- audit ---------------------------------------------------------------------------------------
@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context,
) -> None:
    """Check the whole hash chain; exit 1 naming the first broken entry."""
    with governance(ctx) as g, g.reading(Action.view_audit, "audit_log", "audit verify"):
        result = g.audit.verify()
    if result.ok:
        tail = f", last hash {result.last_hash}" if result.last_hash else ""
        out.print(f"audit log intact: {result.entries} entries{tail}")
        return
    out.print(f"audit log broken: {result.reason}", soft_wrap=True)
    # not typer.Exit: main() runs the app with standalone_mode=False, which turns Exit into a return value
    raise SystemExit(1)


@audit_app.command("list")
def audit_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many entries, newest first.")] = 50,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this actor.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action, e.g. token.create.")] = None,
) -> None:
    """The newest audit entries."""
    if limit < 1:
        raise StadsdataError(f"--limit must be at least 1; got {limit}")
    with governance(ctx) as g, g.reading(Action.view_audit, "audit_log", "audit list"):
        entries = g.audit.list(limit, actor=actor, action=action)
    table = Table(header_style="bold")
    for column in ("seq", "at", "actor", "action", "resource", "purpose", "decision", "detail"):
        table.add_column(column, overflow="fold")
    for e in entries:
        detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True) if e.detail else ""
        table.add_row(str(e.seq), when(e.at), e.actor, e.action, e.resource, e.purpose or "", e.decision, detail)
    out.print(table)
    out.print(f"{len(entries)} entries", style="dim")
