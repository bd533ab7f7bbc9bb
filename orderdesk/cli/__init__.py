"""The command line: ``orderdesk`` and its commands, the top of the layers.

``commands`` holds the click commands; ``language`` chooses the language
before click parses; ``listing``, ``order_report`` and ``sync_report`` print
what the commands find; ``demo`` puts a simulated service, a store, the sync
and the console together. Nothing below the CLI imports it.
"""
