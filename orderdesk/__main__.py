"""``python -m orderdesk`` runs the command line."""

import sys

from orderdesk.cli import main

sys.exit(main())
