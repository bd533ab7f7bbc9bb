"""``python -m orderdesk`` runs the command line."""

import sys

from orderdesk.cli.commands import main

sys.exit(main())
