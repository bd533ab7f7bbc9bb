"""A believable order-intake service that serves the log API over HTTP."""
