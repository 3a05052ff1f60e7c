"""Who may do what: roles, memberships and the one scoping path."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404

from vcio.core.access import access_for, restrict_to_token
from vcio.core.models import Client, Contact, Department, Membership
from vcio.core.roles import Perm, Role
from vcio.core.scoping import get_for_user_or_404, require
from vcio.core.tests.factories import ClientFactory, UserFactory, make_user


def visible(user, model=Client) -> set[str]:
    return {str(o) for o in model.objects.for_user(user)}


def test_owner_and_admin_see_every_client(alice, frank, acme, globex):
    assert visible(alice) == {"Acme Corp", "Globex Health"}
    assert visible(frank) == {"Acme Corp", "Globex Health"}


def test_members_see_only_their_clients(bob, tess, carol, erin, dave, gina):
    for user in (bob, tess, carol, erin):
        assert visible(user) == {"Acme Corp"}, user
    for user in (dave, gina):
        assert visible(user) == {"Globex Health"}, user


def test_a_user_without_membership_sees_nothing(acme):
    assert visible(UserFactory(username="nobody")) == set()
    assert Department.objects.for_user(UserFactory(username="nobody2")).count() == 0


def test_anonymous_and_inactive_users_see_nothing(acme, bob):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    bob.is_active = False
    bob.save()
    assert visible(type(bob).objects.get(pk=bob.pk)) == set()


def test_child_rows_follow_their_client(bob, dave, acme, globex):
    assert {c.client_id for c in Contact.objects.for_user(bob)} == {acme.pk}
    assert {c.client_id for c in Contact.objects.for_user(dave)} == {globex.pk}


@pytest.mark.parametrize(
    ("name", "perms"),
    [
        (
            "bob",
            {Perm.VIEW, Perm.EDIT, Perm.PLAN, Perm.COMMERCIAL} | {Perm.MANAGE, Perm.INTERNAL},
        ),
        ("tess", {Perm.VIEW, Perm.EDIT}),
        ("carol", {Perm.VIEW, Perm.APPROVE, Perm.COMMERCIAL}),
        ("erin", {Perm.VIEW, Perm.EDIT}),
    ],
)
def test_role_permissions_on_own_client(everyone, acme, name, perms):
    assert set(access_for(everyone[name]).perms_for(acme.pk)) == perms


def test_executives_read_and_approve_but_do_not_edit(carol, acme):
    assert Department.objects.for_user(carol, Perm.EDIT).count() == 0
    assert Department.objects.for_user(carol, Perm.VIEW).count() == 1
    with pytest.raises(PermissionDenied):
        get_for_user_or_404(Department, carol, Perm.EDIT, client=acme)


def test_get_or_404_hides_other_clients_rows(dave, acme):
    with pytest.raises(Http404):
        get_for_user_or_404(Client, dave, slug="acme")


def test_only_practice_owners_and_admins_create_clients(alice, frank, bob):
    require(alice, Perm.MANAGE)
    require(frank, Perm.MANAGE)
    with pytest.raises(PermissionDenied):
        require(bob, Perm.MANAGE)


def test_token_limits_narrow_the_same_path(alice, acme, globex):
    restrict_to_token(alice, globex.pk, read_only=True)
    assert visible(alice) == {"Globex Health"}
    assert Client.objects.for_user(alice, Perm.EDIT).count() == 0
    assert not access_for(alice).can_practice(Perm.MANAGE)


def test_practice_roles_take_no_client_and_client_roles_need_one(db, acme):
    user = UserFactory(username="x")
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=user, client=acme, role=Role.OWNER)


def test_client_roles_need_a_client(db):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=UserFactory(username="y"), client=None, role=Role.EDITOR)


def test_many_clients_one_query_for_access(django_assert_num_queries, db):
    user = UserFactory(username="multi")
    for i in range(5):
        make_user(f"m{i}", Role.EXECUTIVE, ClientFactory())
        Membership.objects.create(user=user, client=ClientFactory(), role=Role.CONSULTANT)
    with django_assert_num_queries(3):  # memberships once (cached), clients twice
        assert len(list(Client.objects.for_user(user))) == 5
        assert len(list(Client.objects.for_user(user))) == 5
