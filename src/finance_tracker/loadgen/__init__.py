"""Traffic sender: simulated users for load tests, demos and chaos experiments.

Why not Locust: Locust's value is its UI and distributed runners; what we need is one small,
CSRF-correct sender that ships in the app image (no extra dependency: the standard library's
urllib with a cookie jar, plus prometheus_client the app already has) and that behaves like a
browser through the same route users take (the Service or the ingress host). microservices-demo's
Locust sender broke behind its ingress (GoogleCloudPlatform/microservices-demo#822) because
nothing checked it end to end; ours is tested against a running app (tests/loadgen).

Each simulated user registers through the HTML form (GET the form, read `csrf_token`, POST it
with the session cookie), creates an API token on the Settings page (CSRF again), then does a
weighted mix: browse the dashboard, reports and transaction list (session cookie), add
transactions through the JSON API (bearer token) and the HTML form, import a small QIF file
through the upload form, and sometimes log out and log in again.

`finance-tracker traffic --target URL --rate N [--duration S | --count N]`; the rate also comes
from TRAFFIC_RATE and can be changed while running: `curl -X PUT :9100/rate?value=N`.
"""

from finance_tracker.loadgen.sender import Sender, SenderConfig, Summary

__all__ = ["Sender", "SenderConfig", "Summary"]
