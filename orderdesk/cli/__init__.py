"""The command line: ``orderdesk`` and its commands, the top of the layers.

``entry`` starts the process; ``commands`` holds the click commands (some of
them in modules of their own, imported only when they run); ``language``
chooses the language before click parses; ``process_end`` ends the process as
soon as a read has answered; ``listing``, ``order_report`` and ``sync_report``
print what the commands find; ``demo`` puts a simulated service, a store, the sync
and the console together. Nothing below the CLI imports it.
"""
