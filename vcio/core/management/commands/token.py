"""``vcio token create|list|revoke``: API tokens from the command line.

The key of a new token is printed once and never stored; only its hash is.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from vcio.core import audit
from vcio.core.access import access_for
from vcio.core.models import ApiToken, Client
from vcio.core.roles import Perm


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="Create a token and print its key once.")
        create.add_argument("--user", required=True, help="Username the token acts as.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--client", help="Limit the token to this client (slug).")
        create.add_argument("--read-only", action="store_true", help="Allow reading only.")
        create.add_argument(
            "--expires-days", type=int, help="Expire after this many days (default: never)."
        )
        listing = sub.add_parser("list", help="List a user's tokens (never their keys).")
        listing.add_argument("--user", required=True)
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("--id", required=True, type=int, dest="token_id")

    def handle(self, *args, action: str, **options) -> None:
        run = {"create": self.create_token, "list": self.list_tokens, "revoke": self.revoke_token}
        run[action](**options)

    def create_token(
        self,
        *,
        user: str,
        name: str,
        client: str | None,
        read_only: bool,
        expires_days: int | None,
        **_,
    ) -> None:
        owner = _user(user)
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("--name must be 1 to 100 characters, e.g. 'RMM sync'.")
        limit = _client_for(owner, client) if client else None
        expires_at = None
        if expires_days is not None:
            if expires_days < 1:
                raise CommandError(f"--expires-days must be 1 or more, not {expires_days}.")
            expires_at = timezone.now() + timedelta(days=expires_days)
        with transaction.atomic():
            token, key = ApiToken.issue(
                owner, name, client=limit, read_only=read_only, expires_at=expires_at
            )
            audit.record_create(None, token)
        who = owner.get_username()
        self.stdout.write(f"Token {token.pk} “{token.name}” for {who}{_limits(token)}:")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING("Copy it now: this key will not be shown again."))

    def list_tokens(self, *, user: str, **_) -> None:
        owner = _user(user)
        tokens = ApiToken.objects.filter(user=owner).select_related("client")
        if not tokens:
            self.stdout.write(f"{owner.get_username()} has no API tokens.")
            return
        for t in tokens:
            used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never"
            self.stdout.write(
                f"{t.pk:>5}  {t.prefix}…  {t.name}{_limits(t)}  [{_status(t)}]  last used {used}"
            )

    def revoke_token(self, *, token_id: int, **_) -> None:
        token = ApiToken.objects.filter(pk=token_id).select_related("user").first()
        if token is None:
            raise CommandError(f"No token with id {token_id} (see `vcio token list --user U`).")
        if token.revoked_at is not None:
            when = f"{token.revoked_at:%Y-%m-%d}"
            self.stdout.write(f"Token {token_id} was already revoked on {when}.")
            return
        before = audit.snapshot(token)
        with transaction.atomic():
            token.revoke()
            audit.record_update(None, token, before)
        who = token.user.get_username()
        self.stdout.write(f"Revoked token {token_id} “{token.name}” of {who}.")


def _user(username: str) -> AbstractBaseUser:
    """The active user named ``username``; CommandError otherwise."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user named '{username}'.")
    if not user.is_active:
        raise CommandError(f"User '{username}' is inactive: tokens would not work.")
    return user


def _client_for(user, slug: str) -> Client:
    """The client ``slug`` if ``user`` may see it; CommandError otherwise."""
    client = Client.objects.filter(slug=slug).first()
    if client is None:
        raise CommandError(f"No client with slug '{slug}'.")
    if not access_for(user).can(Perm.VIEW, client.pk):
        raise CommandError(
            f"{user.get_username()} has no access to client '{slug}': "
            "a token cannot reach more than its user."
        )
    return client


def _limits(token: ApiToken) -> str:
    parts = []
    if token.client_id:
        parts.append(f"client {token.client.slug}")
    if token.read_only:
        parts.append("read only")
    if token.expires_at:
        parts.append(f"expires {token.expires_at:%Y-%m-%d}")
    return f" ({', '.join(parts)})" if parts else ""


def _status(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    return "active" if token.is_active else "expired"
