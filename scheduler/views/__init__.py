"""The scheduler's pages: calendars (``calendar``), actions on posts (``posts``), insights."""
