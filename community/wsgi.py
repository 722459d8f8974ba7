import os

from django.core.wsgi import get_wsgi_application

from community.care import geo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
application = get_wsgi_application()

# Open the care directory's place table (ZIP codes and cities) as each app server process
# starts, so that a missing table stops it here rather than in someone's first search.
geo.warm_up()
