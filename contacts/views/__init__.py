"""Contacts pages. Thin: validate, call a selector or a service, render."""
