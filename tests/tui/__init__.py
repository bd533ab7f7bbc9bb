"""The console's tests: Pilot scenarios and SVG snapshots over a simulated day."""
