"""Forms for the settings page. They validate; the actions in groups/settings/actions.py act."""

from django import forms

from groups.models import Group, WatchedWord
from groups.settings.actions import MAX_HOLD_FIRST_POSTS, MAX_QUESTIONS, MAX_SLOW_MODE_MINUTES


class GroupProfileForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="The group's address stays the same, so links people saved keep working."
    )
    description = forms.CharField(max_length=200, help_text="One or two sentences shown in the directory.")
    about = forms.CharField(
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Who the group is for and how it works. Markdown works.",
    )

    def __init__(self, *args, group: Group, **kwargs):
        self.group = group
        kwargs.setdefault("initial", {"name": group.name, "description": group.description, "about": group.about})
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 3:
            raise forms.ValidationError("Please use at least 3 characters.")
        if Group.objects.filter(name__iexact=name).exclude(pk=self.group.pk).exists():
            raise forms.ValidationError("Another group already has this name. Please choose another.")
        return name


class GroupJoiningForm(forms.Form):
    join_policy = forms.ChoiceField(
        label="How people join",
        choices=Group.JoinPolicy.choices,
        widget=forms.RadioSelect,
        help_text="Requests already waiting stay in the queue whatever you choose.",
    )
    is_listed = forms.BooleanField(
        label="List the group in the directory",
        required=False,
        help_text="An unlisted group is found only through an invite link; only its members see its page.",
    )
    allow_anonymous = forms.BooleanField(
        label="Allow anonymous posts",
        required=False,
        help_text="Members may post without their name; moderators and staff still see who wrote it.",
    )

    def __init__(self, *args, group: Group, **kwargs):
        kwargs.setdefault(
            "initial",
            {"join_policy": group.join_policy, "is_listed": group.is_listed, "allow_anonymous": group.allow_anonymous},
        )
        super().__init__(*args, **kwargs)


class GroupHoldsForm(forms.Form):
    hold_first_posts = forms.IntegerField(
        label="New members' first posts held",
        min_value=0,
        max_value=MAX_HOLD_FIRST_POSTS,
        help_text="How many of a new member's first posts and replies a moderator reads before others see them. "
        "0 turns this off.",
    )
    hold_all = forms.BooleanField(
        label="Hold every post and reply",
        required=False,
        help_text="A strict group: a moderator reads everything first. Members are told their post is waiting.",
    )
    slow_mode_minutes = forms.IntegerField(
        label="Slow mode (minutes)",
        min_value=0,
        max_value=MAX_SLOW_MODE_MINUTES,
        help_text="Each member may post or reply once in this many minutes, across the group. 0 turns it off. "
        "Moderators are not slowed down.",
    )

    def __init__(self, *args, group: Group, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "hold_first_posts": group.hold_first_posts,
                "hold_all": group.hold_all,
                "slow_mode_minutes": group.slow_mode_seconds // 60,
            },
        )
        super().__init__(*args, **kwargs)


class RulesForm(forms.Form):
    rules = forms.CharField(
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Markdown works. Keep the community's safe-messaging rule: no method details, no graphic "
        "self-harm, nothing that glamorises it.",
        error_messages={"required": "A group needs rules. Please write at least one."},
    )
    summary = forms.CharField(
        label="What changed, in a sentence (optional)",
        max_length=200,
        required=False,
        help_text="Members see this with the change.",
    )


class JoinQuestionsForm(forms.Form):
    def __init__(self, *args, group: Group, **kwargs):
        questions = list(group.questions.values_list("text", flat=True))
        kwargs.setdefault("initial", {f"question_{i}": text for i, text in enumerate(questions)})
        super().__init__(*args, **kwargs)
        for i in range(MAX_QUESTIONS):
            self.fields[f"question_{i}"] = forms.CharField(label=f"Question {i + 1}", max_length=200, required=False)

    def questions(self) -> list[str]:
        return [self.cleaned_data[f"question_{i}"] for i in range(MAX_QUESTIONS)]


class WatchedWordForm(forms.Form):
    phrase = forms.CharField(
        label="Word or phrase",
        max_length=100,
        help_text="Matched as whole words, ignoring case and accents, in posts, replies and titles in this group.",
    )
    action = forms.ChoiceField(
        label="What happens", choices=WatchedWord.Action.choices, initial=WatchedWord.Action.HOLD
    )
    message = forms.CharField(
        label="Message to the author (blocked words only)",
        max_length=300,
        required=False,
        help_text="Said kindly: the author can change their text and try again.",
    )

    def clean_phrase(self):
        phrase = " ".join(self.cleaned_data["phrase"].split())
        if len(phrase) < 2:
            raise forms.ValidationError("A watched word needs at least 2 letters.")
        return phrase
