"""``orderdesk serve``: the console in a browser, and the page that holds it."""
