"""Every sentence orderdesk says to its users, in one place.

A French interface is planned: these will go through gettext, so they are
whole sentences with named placeholders, never pieces glued together.
"""

from __future__ import annotations

NO_SOURCE = (
    "no log API to sync from: pass --api-url URL (and --api-key KEY) or set ORDERDESK_API_URL; "
    "to try orderdesk without one, run 'orderdesk simulate' in another terminal"
)
BAD_SOURCE_URL = "{url!r} is not a usable log API URL ({why}): use e.g. https://intake.example.com"
USAGE_ERROR = "orderdesk: {message} (see '{where} --help')"
NO_RECORDS = "no records match: widen the time range (--since 7d) or drop a filter"
FOLLOWING = "following {url} into {db}, every {interval:g} s; Ctrl-C stops"
STOPPED = "stopped; everything fetched so far is stored"
SYNC_PROGRESS = "{fetched:,} fetched, {new:,} new, {updated:,} updated"
SYNC_DONE = "caught up: {fetched:,} fetched, {new:,} new, {updated:,} updated in {seconds:.1f} s"
SYNC_RETRY = "{error}; retrying at {when}"
SYNC_PASS = "{time}  {new:,} new, {updated:,} updated"
