from django.db import models


class CrisisLine(models.Model):
    """A crisis contact shown on the crisis page; staff edit these in the admin."""

    name = models.CharField(max_length=100, help_text="For example: 988 Suicide & Crisis Lifeline.")
    how = models.CharField(max_length=150, help_text="What to do, for example: Call or text 988.")
    description = models.CharField(max_length=300, blank=True)
    url = models.URLField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name
