"""The scheduler's REST API: posts, plans and the calendar (``posts``), windows, insights."""
