from django.contrib import messages


class ActionRefused(Exception):
    """An action the rules do not allow; the message is shown to the person as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def attempt(request, act, *, done) -> bool:
    """Run ``act()`` (an action) for a page that redirects afterwards, and tell the person
    how it went on the next page: ``done`` (a text, or a function of what the action
    returned) when it ran, the refusal's message when the rules said no. True if it ran."""
    try:
        result = act()
    except ActionRefused as refused:
        messages.error(request, refused.message)
        return False
    messages.success(request, done(result) if callable(done) else done)
    return True
