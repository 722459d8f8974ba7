from groups.models.groups import Group, GroupProposal, JoinQuestion, Topic
from groups.models.membership import Invite, Membership
from groups.models.posts import ContentStatus, Post, PostRead, Reaction, Reply, Revision

__all__ = [
    "ContentStatus",
    "Group",
    "GroupProposal",
    "Invite",
    "JoinQuestion",
    "Membership",
    "Post",
    "PostRead",
    "Reaction",
    "Reply",
    "Revision",
    "Topic",
]
