"""orderdesk's tests; helpers are imported by module path, as tests.engines."""
