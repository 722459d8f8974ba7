"""Who may see or change the site-wide resources: the library and the treatment journal.

Group content is never decided here: site search asks groups/access/. Site staff, and the
``@staff_required`` decorator of every staff-only page, are in community/accounts/roles.py.
"""

from django.http import Http404

from community.accounts.roles import is_site_staff, require_staff
from community.models import Article


def can_see_article(user, article: Article) -> bool:
    return article.is_published or is_site_staff(user)


def get_article_for_viewer(user, article_slug: str) -> Article:
    """A published article, or a draft for staff; anyone else gets the same 404 as for a
    page that does not exist, so unpublished titles never leak."""
    article = Article.objects.filter(slug=article_slug).first()
    if article is None or not can_see_article(user, article):
        raise Http404("No such page.")
    return article


def get_article_for_editor(user, article_slug: str) -> Article:
    require_staff(user)
    article = Article.objects.filter(slug=article_slug).first()
    if article is None:
        raise Http404("No such page.")
    return article


def get_own_journal_item(user, model, item_id: int):
    """A row of the member's own journal, or 404 for anyone else's, staff and moderators
    included: a journal is for its member alone, so even its existence stays private."""
    item = model.objects.filter(pk=item_id, user_id=user.pk).first() if user.is_authenticated else None
    if item is None:
        raise Http404("No such page.")
    return item
