"""My treatment journey: a member's private record of treatments, sessions and check-ins,
a chart, and a one-page summary for their clinician. Only the member sees any of it."""
