from django import template

from community.accounts.roles import is_site_staff
from groups.access import membership_of
from groups.settings.queries import rules_changed_since_accepted

register = template.Library()


@register.inclusion_tag("groups/settings/_rules_changed.html", takes_context=True)
def rules_changed_notice(context, group):
    """ "The rules changed since you joined", for members who accepted older rules. Reads
    the membership the page's permission check already loaded (memoised on the user)."""
    user = context.get("user")
    changed = False
    if user is not None and user.is_authenticated and not is_site_staff(user) and group.rules_updated_at:
        changed = rules_changed_since_accepted(group, membership_of(user, group))
    return {"group": group, "changed": changed, "csrf_token": context.get("csrf_token")}
