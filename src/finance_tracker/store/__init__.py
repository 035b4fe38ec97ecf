"""The database layer: models, engine and sessions, migrations. The only place SQL lives."""
