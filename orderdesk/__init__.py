"""orderdesk: a terminal console for an order-intake integration's logs."""

__version__ = "0.1.0"
