"""Fixtures of the observability tests: the app's processes and a real Prometheus."""
