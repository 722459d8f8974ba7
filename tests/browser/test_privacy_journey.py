"""A member takes their data and leaves, as a person would in the browser."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from community.models import User

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_member_downloads_their_data_blocks_someone_then_deletes_the_account(
    open_session, make_member, make_group, add_member, make_post
):
    group = make_group("Living with TRD", slug="trd")
    fern, river = make_member("Fern"), make_member("River")
    add_member(group, fern)
    add_member(group, river)
    post = make_post(group, fern, title="My first month of TMS", body="Tired but hopeful.")

    me = open_session("fern")
    me.login_as(fern)
    me.goto("/account/profile/")
    me.page.get_by_role("navigation", name="Account settings").get_by_role("link", name="Your data and privacy").click()
    me.check("privacy-settings")

    me.page.get_by_role("button", name="Prepare my data export").click()
    me.goto("/account/privacy/")
    with me.page.expect_download() as download_info:
        me.page.get_by_role("link", name="Download").first.click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    data = json.loads(archive.read("data.json"))
    assert "My first month of TMS" in json.dumps(data)
    assert "index.html" in archive.namelist()

    me.page.get_by_label("Display name of the member to block").fill("River")
    me.page.get_by_role("button", name="Block", exact=True).click()
    expect(me.page.get_by_text("River").first).to_be_visible()
    me.check("privacy-blocked")

    me.page.get_by_role("link", name="Delete my account").click()
    # allauth asks for the password again before anything so final.
    me.page.get_by_label("Password").fill("a-long-password-1")
    me.page.get_by_role("button", name="Confirm").click()
    me.check("account-delete")
    me.page.get_by_label("Erase the text of my posts and replies").check()
    me.page.get_by_label("I understand that my account is deleted for good").check()
    me.page.get_by_role("button", name="Delete my account for good").click()
    expect(me.page.get_by_text("Your account is deleted.")).to_be_visible()
    assert not User.objects.filter(email=fern.email).exists()
    post.refresh_from_db()
    assert "Tired but hopeful" not in post.body
