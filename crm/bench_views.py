"""The framework's floor for the web benchmark (``bench/web_load.py``).

``/bench-floor`` is routed only when ``DEBUG`` is on or the environment sets ``BENCH_FLOOR=1``
(see ``crm/urls.py``). It goes through the whole middleware stack like every page and reads
nothing itself: no database, no template. (Asked with a session cookie, as the benchmark does,
the project's middleware still loads the session and the user, two queries, as it does for
every signed-in request.) Its latency under the same load is what Django, gunicorn, the
middleware and the machine cost before a page does any work of its own, so a page's p95
divided by this one's says how much of the page is the page.
"""

from django.http import HttpRequest, HttpResponse


def bench_floor(request: HttpRequest) -> HttpResponse:
    """A 200 with a two-byte body, and nothing else."""
    return HttpResponse(b"ok", content_type="text/plain")
