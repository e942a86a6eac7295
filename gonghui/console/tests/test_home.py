from django.test import Client
from django.urls import reverse


def test_top_bar_names_the_union_and_role_the_user_acts_as(staff):
    client = Client()
    client.force_login(staff.d1_manager)
    html = client.get(reverse("console:home")).content.decode()
    assert "东城区总工会 · 审批人" in html


def test_console_home_counts_only_the_users_subtree(tree, staff):
    from gonghui.members.tests.factories import MembershipFactory

    MembershipFactory(union=tree.g1)
    MembershipFactory(union=tree.g2)
    MembershipFactory(union=tree.g2)
    client = Client()
    client.force_login(staff.d1_manager)
    figures = dict(client.get(reverse("console:home")).context["figures"])
    assert figures == {"orgs": 1, "members": 1}
    client.force_login(staff.city_admin)
    assert dict(client.get(reverse("console:home")).context["figures"]) == {"orgs": 2, "members": 3}
