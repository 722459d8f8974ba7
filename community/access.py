"""Who may see or change the site-wide resources: the library and the care directory.

Group content is never decided here: site search asks groups/access.py.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from community.models import Article
from groups.access import is_site_staff


def require_staff(user) -> None:
    """Staff-only pages: a member is told no (403); call after @login_required."""
    if not is_site_staff(user):
        raise PermissionDenied


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
