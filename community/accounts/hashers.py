"""Password hashing: Argon2id, as Django recommends, at the cost OWASP's password storage
guidance gives as its first choice (19 MiB of memory, 2 passes, 1 lane).

Django's own Argon2 defaults (100 MiB, 8 lanes) took over a second a login on this
project's 2-core servers, and PBKDF2 at Django 6.1's iteration count longer still; a login
must answer in well under 300 ms. Hashes made with an earlier hasher or cost are replaced
at the member's next successful login (Django does this for the first hasher listed).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class SteadyArgon2PasswordHasher(Argon2PasswordHasher):
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
