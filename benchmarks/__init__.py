"""orderdesk's benchmarks: figures measured on real processes, reported, never asserted."""
