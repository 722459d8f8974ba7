import uuid

from django import forms

from groups.models import Group, GroupProposal, Post, Reply, Topic
from groups.posts.models import BODY_MAX, TITLE_MAX, WARNING_MAX

BODY_HELP = "Markdown works: **bold**, *italic*, lists and links. Raw HTML and images are not shown."
WARNING_HELP = (
    "Optional. For example: suicidal thoughts, self-harm, loss. Readers will see this first and can choose to open it."
)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search groups", required=False, max_length=100)
    topic = forms.ModelChoiceField(
        queryset=Topic.objects.all(), to_field_name="slug", required=False, empty_label="Any topic"
    )
    format = forms.ChoiceField(choices=[("", "Any format"), *Group.Format.choices], required=False)
    place = forms.CharField(label="City or region", required=False, max_length=80)


class JoinForm(forms.Form):
    accept_rules = forms.BooleanField(
        label="I have read the group's rules and the community guidelines, and I accept them",
        error_messages={"required": "Please read the group's rules and confirm that you accept them."},
    )

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for index, question in enumerate(self.questions):
            self.fields[f"answer_{index}"] = forms.CharField(
                label=question.text, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
            )

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{index}"] for index in range(len(self.questions))]


class SubmitOnceMixin(forms.Form):
    """A random key in a hidden field: the same form sent twice (a double click, a retry)
    makes one post or reply, not two (the posting actions look the key up)."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["submission_key"]
        else:
            self.fields["submission_key"].initial = uuid.uuid4().hex


class PostForm(SubmitOnceMixin, forms.ModelForm):
    title = forms.CharField(max_length=TITLE_MAX)
    body = forms.CharField(
        label="What would you like to say?",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=BODY_HELP,
        error_messages={"required": "Please write something before posting."},
    )
    content_warning = forms.CharField(
        label="Content warning", max_length=WARNING_MAX, required=False, help_text=WARNING_HELP
    )

    class Meta:
        model = Post
        fields = ["title", "body", "content_warning", "is_anonymous"]
        labels = {"is_anonymous": 'Post anonymously (members see "Anonymous member"; moderators can see it is you)'}

    def __init__(self, *args, group=None, editing=False, **kwargs):
        super().__init__(*args, editing=editing, **kwargs)
        if editing or (group is not None and not group.allow_anonymous):
            del self.fields["is_anonymous"]

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Please give your post a title.")
        return title


class ReplyForm(SubmitOnceMixin, forms.ModelForm):
    body = forms.CharField(
        label="Your reply",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=BODY_HELP,
        error_messages={"required": "Please write something before replying."},
    )
    content_warning = forms.CharField(
        label="Content warning", max_length=WARNING_MAX, required=False, help_text=WARNING_HELP
    )

    class Meta:
        model = Reply
        fields = ["body", "content_warning", "is_anonymous"]
        labels = {"is_anonymous": "Reply anonymously"}

    def __init__(self, *args, group=None, editing=False, **kwargs):
        super().__init__(*args, editing=editing, **kwargs)
        if editing or (group is not None and not group.allow_anonymous):
            del self.fields["is_anonymous"]


class InviteForm(forms.Form):
    USES = [("1", "One person (single use)"), ("", "Anyone with the link")]
    max_uses = forms.ChoiceField(label="Who can use it", choices=USES, required=False)
    valid_days = forms.IntegerField(label="Valid for (days)", min_value=1, max_value=90, initial=7)

    def clean_max_uses(self):
        value = self.cleaned_data["max_uses"]
        return int(value) if value else None


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect)
    message = forms.CharField(
        label="Message to the person (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposalForm(forms.ModelForm):
    class Meta:
        model = GroupProposal
        fields = ["name", "purpose", "reason"]
        labels = {"name": "Group name", "purpose": "What the group is for", "reason": "Why it is needed"}
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4}), "reason": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError("Please use at least 3 characters.")
        if Group.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A group with this name already exists.")
        return name
