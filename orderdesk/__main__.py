"""``python -m orderdesk`` runs the command line."""

import sys

from orderdesk.cli.entry import main

sys.exit(main())
