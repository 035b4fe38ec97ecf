"""Background work: job functions, and the scheduler of the embedded default."""
