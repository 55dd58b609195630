"""Activity events ("ana liked your photo"): the per-user store that the feeds assemble from."""
