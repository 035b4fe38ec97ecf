"""Running the service: health and readiness, metrics, structured logs."""
