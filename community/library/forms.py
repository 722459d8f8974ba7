"""Forms for the resource library: staff editing, members' suggestions, staff decisions."""

from django import forms
from django.core.validators import URLValidator

from community.models import Article, ResourceSuggestion

SOURCES_HELP = (
    "One source per line: its title, then a vertical bar (|), then the link. For example: "
    "Depression, National Institute of Mental Health | https://www.nimh.nih.gov/health/topics/depression"
)
_url_validator = URLValidator(schemes=["http", "https"])


def parse_sources(text: str) -> list[tuple[str, str]]:
    """Lines of "title | link" to (title, link) pairs; ValidationError names the bad line."""
    sources = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        title, bar, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        if not bar or not title:
            raise forms.ValidationError(f"Line {number}: write the title, then |, then the link.")
        try:
            _url_validator(url)
        except forms.ValidationError:
            raise forms.ValidationError(f"Line {number}: the link must start with https:// or http://.") from None
        sources.append((title[:300], url[:500]))
    return sources


class ArticleForm(forms.ModelForm):
    sources = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, help_text=SOURCES_HELP, strip=True
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "topic",
            "summary",
            "body",
            "order",
            "status",
            "last_reviewed",
            "reviewer",
            "related",
        ]
        labels = {"related": "Related articles", "status": "Who can see it"}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 20}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "last_reviewed": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "status": forms.RadioSelect,
            "related": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        related = Article.objects.order_by("order", "title")
        if self.instance.pk:
            related = related.exclude(pk=self.instance.pk)
            self.fields["sources"].initial = "\n".join(
                f"{source.title} | {source.url}" for source in self.instance.sources.all()
            )
        self.fields["related"].queryset = related

    def clean_sources(self):
        return parse_sources(self.cleaned_data["sources"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Article.Status.PUBLISHED:
            # docs/safety.md rule 12: a published page names its sources and its last review.
            if not cleaned.get("last_reviewed"):
                self.add_error("last_reviewed", "A published page needs the date it was last reviewed.")
            if not cleaned.get("reviewer"):
                self.add_error("reviewer", "A published page needs the name of its reviewer.")
            if "sources" in cleaned and not cleaned["sources"]:
                self.add_error("sources", "A published page needs at least one source.")
        return cleaned

    def article_fields(self) -> dict:
        """The cleaned values that are plain fields of Article (not sources or related)."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "related"}


class SuggestionForm(forms.ModelForm):
    url = forms.URLField(
        label="Link",
        max_length=500,
        assume_scheme="https",
        validators=[_url_validator],
        help_text="The page you would like us to look at.",
    )

    class Meta:
        model = ResourceSuggestion
        fields = ["title", "url", "reason"]
        labels = {"title": "What is it called?", "reason": "Why would it help others here?"}
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Please give the resource a title.")
        return title


class SuggestionDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept: start a draft page from it"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note to the member (optional)", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
