class ActionRefused(Exception):
    """An action the rules do not allow; the message is shown to the person as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
