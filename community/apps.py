from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        # The outbox (the site kernel) knows nothing of groups; the rule that a member must
        # still see what a notification email announces is registered from here.
        from community.mail.outbox import add_delivery_check
        from community.notifications.actions import email_still_deliverable

        add_delivery_check(email_still_deliverable)

        # Every write to a table that kept pages, feeds or counts read renews their
        # generation (community/core/pagecache.py), whichever process makes it.
        from django.db.backends.signals import connection_created

        from community.core.pagecache import install_write_watch

        connection_created.connect(install_write_watch, dispatch_uid="page-generation-writes")

        # A statement prepared before a migration changed a column's type is prepared
        # again (community/core/prepared.py), in every process.
        from community.core.prepared import install_replanning

        connection_created.connect(install_replanning, dispatch_uid="replan-after-schema-change")
