"""The terminal UI: an App on top of the core, screens and their widgets."""
