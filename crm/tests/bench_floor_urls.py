"""A URLconf with only the benchmark floor view, for its test (it is unrouted in tests)."""

from django.urls import path

from crm.bench_views import bench_floor

urlpatterns = [path("bench-floor", bench_floor, name="bench-floor")]
