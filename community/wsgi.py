import os

from django.core.wsgi import get_wsgi_application

from community.care import geo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
application = get_wsgi_application()

# The care directory's place data (ZIP codes and cities) takes seconds to load: do it
# now, as each app server process starts, rather than in someone's first search.
geo.warm_up()
