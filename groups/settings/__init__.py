"""Running a group from the site: its settings, rules with their history, join
questions and its own watched words. Owners edit everything; moderators the parts that
are about moderating (holds, slow mode, watched words). See groups/access.py."""
