"""groups/posts/content.py: the one answer to "is it a post or a reply?"."""

from community.models import Notification
from groups.posts.content import content_of, target_of, thread_of


def test_post_or_reply_helpers_point_at_the_right_item(make_group, make_member, add_member, make_post, make_reply):
    group = make_group()
    writer = make_member()
    add_member(group, writer)
    post = make_post(group, writer)
    reply = make_reply(post, writer)
    assert target_of(post) == {"post": post}
    assert target_of(reply) == {"reply": reply}
    assert thread_of(post) == post
    assert thread_of(reply) == post
    # A notification about a reply names its post too: it is about the reply.
    about_reply = Notification(recipient=writer, group=group, post=post, reply=reply)
    about_post = Notification(recipient=writer, group=group, post=post)
    assert content_of(about_reply) == reply
    assert content_of(about_post) == post
    assert content_of(Notification(recipient=writer, group=group)) is None
