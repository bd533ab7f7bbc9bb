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

# -- the terminal UI: lists, filters, freshness -------------------------------------
TITLE_REQUESTS = "Requests"
TITLE_POSTBACKS = "Postbacks"
TITLE_ORDER = "Order"
WINDOW_ALL = "all time"
WINDOW_PRESET = "last {span}"
WINDOW_CUSTOM = "from {start} to {end}"
WINDOW_OPEN = "the start"
WINDOW_NOW = "now"
ZONE_LOCAL = "local"
CHIP_ERRORS = "errors only"
CHIP_STATUS = "status: {statuses}"
CHIP_CUSTOMER = "customer: {value}"
CHIP_PRINTER = "printer: {value}"
CHIP_ORDER = "order: {value}"
CHIP_SEARCH = "search: {value}"
FILTER_BAR = "{window} · times in {zone}"
ROWS_EXACT = "{count:,} records"
ROWS_AT_LEAST = "≥ {count:,} records"
ROWS_NONE = "no records match: widen the time range (t) or clear the filters (x)"
FRESH_NEVER = "not synced yet: the first sync is starting"
FRESH_SYNCED = "synced {age} ago"
FRESH_SYNCING = "syncing: {fetched:,} fetched, {new:,} new"
FRESH_NEW = "{new:,} new since you looked"
FRESH_FOLLOWING = "following the newest"
FRESH_FAILING = "source failing: {error}; next try at {when}"
FRESH_STOPPED = "sync stopped: {error}"
FRESH_SERVICE = "sync service {holder}"
FRESH_SERVICE_GONE = "no sync service running"
FRESH_TOOK_OVER = "took over sync: the service stopped"
FRESH_READ_ONLY = "reading the store; no source configured"
ORDER_FINDER_LABEL = "Order >"
ORDER_FINDER_PLACEHOLDER = "a reference: its timeline shows as you type"
ORDER_FINDER_HINT = "type an order reference above: its timeline shows as you type"
ORDER_FINDER_NONE = (
    "no order reference is or begins with '{reference}' in the store: check it, "
    "or search for part of it with / on a list"
)
ORDER_FINDER_CANDIDATES = (
    "no order '{reference}' yet; the references it could be (enter takes the first):"
)
TIME_RANGE_TITLE = "Time range (times in {zone})"
TIME_RANGE_FROM = "From: 2026-11-20 14:00, -2h, 3d, today, yesterday"
TIME_RANGE_TO = "To (empty for now)"
TIME_RANGE_APPLY = "Apply"
FILTERS_TITLE = "Filters"
FILTERS_STATUSES = "Statuses (space toggles)"
FILTERS_CUSTOMER = "Customer id or name"
FILTERS_PRINTER = "Printer id or name"
FILTERS_APPLY = "Apply"
FIRST_RUN_TITLE = "Welcome to orderdesk"
FIRST_RUN_BODY = (
    "There is no log API to read from yet, and the store at {db} is empty.\n\n"
    "To see orderdesk at work right away, quit (q) and run:\n\n"
    "    orderdesk demo\n\n"
    "It starts a simulated order-intake service with a week of history and live traffic.\n\n"
    "To connect to your own service, set its log API and key, then run orderdesk again:\n\n"
    "    export ORDERDESK_API_URL=https://intake.example.com\n"
    "    export ORDERDESK_API_KEY=...\n"
    "    orderdesk\n\n"
    "or pass --api-url and --api-key."
)
WORKER_FAILED = "{name} failed: {error}"
NO_DRILL_DOWN = "the record view is not available in this build"
NO_ORDER_SELECTED = "select a record first, or press 3 to type an order reference"
COLUMN_HEADERS = {
    "time": "TIME",
    "reference": "ORDER REF",
    "customer": "CUSTOMER",
    "printer": "PRINTER",
    "action": "ACTION",
    "status": "STATUS",
    "duration": "TOOK",
    "error": "ERROR",
    "event": "EVENT",
    "delivery": "DELIVERY",
    "attempts": "TRIES",
    "code": "CODE",
}
TIME_RANGE_PRESETS = {
    "15m": "Last 15 minutes",
    "1h": "Last hour",
    "4h": "Last 4 hours",
    "24h": "Last 24 hours",
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "all": "All time",
}
TIME_RANGE_CUSTOM = "Or a custom range (enter applies):"
TIME_RANGE_BAD = "{error}"
ERRORS_ON = "showing errors only"
ERRORS_OFF = "showing every status"
FILTERS_CLEARED = "filters cleared"
ZONE_NOW = "times are now in {zone}"

# -- the terminal UI: the record drill-down and the order view ------------------------
STAGE_ORIGINAL = "Original"
STAGE_TEMPLATE = "Template"
STAGE_FINAL = "Final"
STAGE_RESPONSE = "Response"
STAGE_FAILED_MARK = "✗ failed here"
STAGE_ERROR = "{code}: {message}"
NOT_DELIVERED = "not delivered to the customer after {attempts} attempts; last answer: {answer}"
STILL_RETRYING = (
    "not delivered yet, still retrying after {attempts} attempts; last answer: {answer}"
)
NO_TEMPLATE = "no template processing was recorded"
NO_TEMPLATE_OUTPUT = "the template produced no output"
NOT_SENT = "not sent"
NO_ANSWER = "no answer was recorded"
NO_HEADERS = "no headers"
NO_BODY = "no body was recorded"
BODY = "body"
TEMPLATE_SOURCE = "template source"
TEMPLATE_OUTPUT = "template output"
HEADERS = "headers"
ATTEMPT_COUNT = "{count} attempts"
ATTEMPTS = "delivery attempts"
ATTEMPT_LINE = "#{number}  {time}  {answer}  {duration}"
RECORD_KIND = {"requests": "Request", "postbacks": "Postback"}
RECORD_HEADER = (
    "{kind} {id} · order {reference} · {source} → {target} · {status} · "
    "{created} {zone} · updated {updated}"
)
RECORD_MISSING = "no record {id} in the store: it may have been removed; press escape to go back"
NO_REFERENCE = "this record has no order reference"
STAGE_COPIED = "copied the {stage} stage of {id} ({size})"
STAGE_SAVED = "saved the {stage} stage of {id} to {path}"
STAGE_DOWNLOADED = "sent the {stage} stage of {id} to your browser as a download"
STAGE_NOT_SAVED = "could not save the {stage} stage: {error}"
ORDER_HEADER = "Order {reference} · {customers} → {printers} · times in {zone}"
ORDER_IDS = "printer orders: {ids}"
ORDER_NO_IDS = "no printer order id yet"
ORDER_EMPTY = "nothing in the store about order {reference}: check the reference, or widen the sync"
ORDER_TRUNCATED = "more records than shown: only the first {count} of each kind are listed"
ORDER_ALL_WELL = "nothing missing: every request went through and every postback was delivered"
TITLE_ORDER_TIMELINE = "timeline, oldest first (enter opens a record)"

SYNC_LEASE_HELD = (
    "{holder} is already syncing this store; stop it first, or run with --wait to take over "
    "when it stops"
)
SYNC_WAITING = "{holder} is syncing this store; waiting for it to stop (Ctrl-C to give up)"

# -- The order timeline's findings (orderdesk.findings), and `orderdesk order REF` --------

FINDING_REQUEST_FAILED = "the {subject} request failed: {detail}"
FINDING_NOT_RECEIVED = (
    "printer order {order_id} was accepted, but no order_received came within {threshold} "
    "(silent for {waited})"
)
FINDING_AWAITING_RECEIPT = (
    "printer order {order_id} was sent {waited} ago; no order_received yet "
    "(expected within {threshold})"
)
FINDING_SHIPPED_UNDELIVERED = (
    "the shipped postback never reached the customer's system: {detail}; "
    "the customer never got the shipping notification"
)
FINDING_UNDELIVERED = "the {subject} postback never reached the customer's system: {detail}"
FINDING_RETRYING = (
    "the {subject} postback is still being retried after {waited} (more than {threshold}): {detail}"
)
FINDING_RETRYING_NOTICE = "delivery of the {subject} postback is being retried: {detail}"
FINDING_ERROR_POSTBACK = "the printer reported an error on printer order {order_id}: {detail}"
FINDING_CANCEL_REFUSED = (
    "a cancel came after printer order {order_id} was printed (at {printed}); "
    "the printer refused it"
)
FINDING_CANCEL_AFTER_PRINTED = (
    "a cancel came after printer order {order_id} was printed (at {printed}); "
    "check whether the parcel still ships"
)
FINDING_DUPLICATE = (
    "the reference was submitted again, {waited} after the first submit (at {first}): "
    "a duplicate order reference"
)
FINDING_NO_REQUEST = "postbacks arrived, but no request for this order is in the store"
FINDINGS_TITLE = "what is missing or wrong ({count})"
FINDING_RECORDS = "records: {ids}"
ORDER_UNKNOWN = (
    "no records for order reference '{reference}' in {db}: check the reference, "
    "or look for part of it with: orderdesk requests --search '{reference}'"
)
ORDER_REPORT_IDS = "printer orders: {ids}"
ORDER_REPORT_NO_FINDINGS = (
    "findings: none, every request went through and every postback was delivered"
)
ORDER_REPORT_FINDINGS = "findings ({count}):"
NEXT_FINDING_NONE = "nothing is missing or wrong in this order"
# -- the terminal UI: marks, export, saved views, volume -------------------------------
MARK = "●"
CHIP_MARKED = "{count:,} marked"
CHIP_MARKED_ONLY = "marked only ({count:,})"
MARKED_ONLY_ON = "showing only the {count:,} marked records"
MARKED_ONLY_OFF = "showing every record again; the marks stay"
NOTHING_MARKED = "nothing is marked: press m on a record to mark it"
EXPORT_TITLE = {"requests": "Export requests", "postbacks": "Export postbacks"}
EXPORT_JSONL = "JSON lines: whole records, as the log API gives them"
EXPORT_CSV = "CSV: the list's columns, one row per record"
EXPORT_MARKED_ONLY = "Only the marked records ({count:,})"
EXPORT_FILE = "File (enter exports, escape cancels)"
EXPORT_START = "Export"
EXPORT_NO_PATH = "type the file to write"
EXPORT_NOTHING = "no records match: there is nothing to export"
EXPORT_FAILED = "could not write {path}: {error}"
EXPORT_DONE = "wrote {count:,} records to {path}"
EXPORT_DOWNLOADED = (
    "wrote {count:,} records to {path} on the server, and sent it to your browser as a download"
)
EXPORT_CANCELLED = "export stopped: nothing was written to {path}"
EXPORT_BROKE = "the export failed, and nothing was written: {error}"
VIEW_COMMAND = "View: {name}"
VIEW_COMMAND_HELP = "Open this saved view on the {screen} list"
VIEW_SCREENS = {"requests": "Requests", "postbacks": "Postbacks"}
VIEW_SAVE = "Save current view as…"
VIEW_SAVE_HELP = "Keep this list's screen, time range and filters under a name, in {path}"
VIEW_NAME_PROMPT = "Name of the view (enter saves, escape cancels)"
VIEW_SAVED = "saved the view {name} in {path}"
VIEW_NOT_SAVED = "could not save the view: {error}"
VIEW_OPENED = "view {name}"
VIEWS_BROKEN = "Views: the views file has a mistake"
VOLUME_COUNTING = "counting records over the range…"
VOLUME_EMPTY = "no records in this range"
VOLUME_SUMMARY = "{step} a bar · peak {peak:,} · [ ] picks"
VOLUME_BUCKET = "{start} · {records:,} · {failures:,} failed"
VOLUME_NARROWED = "time range now from {start} to {end}"
VOLUME_FAILED = "could not count the volume: {error}"
EXPORT_COMMAND = "Export the list…"
EXPORT_HELP = "Write this list, or only its marked records, to a JSON lines or CSV file (X)"
MARKED_COMMAND = "Marked records only"
MARKED_HELP = "Show only the records marked with m, or every record again (M)"
# -- the terminal UI: search in a stage, what the template changed, compare, curl ------
STAGE_SEARCH_PROMPT = "Find in this stage (enter to find, escape to close)"
STAGE_SEARCH_PROMPT_IN = "Find in the {stage} stage (enter to find, escape to close)"
SEARCH_HIT_OF = "“{needle}”: hit {number} of {count} (n next, N previous)"
SEARCH_HIT_OF_MORE = "“{needle}”: hit {number} of {count} or more (n next, N previous)"
SEARCH_NO_HITS = "“{needle}” is not in this stage"
SEARCH_NONE_ACTIVE = "nothing searched in this stage: press / to search"
CHANGES_HEADER = "What the template changed · {id} · order {reference} · {customer}"
CHANGES_COUNT = "{count} {mark}"
CHANGES_NO_ORIGINAL = "the Original body is not JSON or XML (or was not recorded): nothing to pair"
CHANGES_NO_FINAL = "nothing came out of the template: no Final request and no template output"
CHANGES_FINAL_UNREADABLE = "the Final body is not JSON or XML: nothing to pair"
CHANGES_ALL_USED = "every field of the Original fed the Final request"
CHANGES_UNUSED = "not used from the Original ({count}): {fields}"
CHANGES_COLUMNS = {
    "mark": "WHAT",
    "output": "FINAL FIELD",
    "source": "FROM ORIGINAL FIELD",
    "value": "VALUE (ORIGINAL → FINAL)",
}
MARKS = {
    "defaulted": "defaulted",
    "empty": "empty",
    "unmatched": "from elsewhere",
    "changed": "changed",
    "copied": "copied",
    "fixed": "fixed",
}
MARK_SYMBOLS = {
    "defaulted": "⚠",
    "empty": "∅",
    "unmatched": "?",
    "changed": "≠",
    "copied": "=",
    "fixed": "•",
}
CHANGE_VIA = {"template": "by the template's source", "value": "by equal values"}
CHANGE_FROM = "{output} ← {source} ({via}): {before} → {after}"
CHANGE_FIXED = "{output} is always {value}: the template writes it as it is"
CHANGE_NO_SOURCE = (
    "{output} = {value}: from neither the Original nor the template's source "
    "(the service's own records, or a computed value)"
)
COMPARE_BASE_SET = (
    "{id} is the base of a comparison: open another {kind} and press c to compare it with this one"
)
COMPARE_SAME_RECORD = "this record is the base: open another {kind} and press c there"
COMPARE_OTHER_KIND = (
    "the base was a {old}; this {new} is the base now: open another {new} and press c"
)
COMPARE_HEADER = (
    "Comparing {other} ({other_status}) with the base {base} ({base_status}): {count} fields differ"
)
COMPARE_SAME = "the two records are the same, field by field"
COMPARE_MISSING = "(absent)"
COMPARE_COLUMNS = {"section": "WHERE", "field": "FIELD", "base": "BASE", "other": "THIS RECORD"}
COMPARE_SECTIONS = {
    "record": "record",
    "original": "Original",
    "final": "Final",
    "response": "Response",
}
COMPARE_DETAIL = "{section} {field}: base {base}, this record {other}"
COMPARE_KIND = {"requests": "request", "postbacks": "postback"}
CURL_COPIED = "copied the Final request of {id} as a curl command ({size}); secrets stay redacted"
CURL_NOT_SENT = "the Final request was never sent: there is no request to copy as curl"


# -- The filter language (the / prompt and --query) ----------------------------------------

FILTER_AMBIGUOUS_FIELD = "field '{name}' at {at} could be {choices}: write more of it"
FILTER_UNKNOWN_FIELD = (
    "unknown field '{name}' at {at}: did you mean {guess}? "
    "(put text with a colon in quotes to search for it)"
)
FILTER_UNKNOWN_FIELD_NO_GUESS = (
    "unknown field '{name}' at {at}: the fields are {fields} "
    "(put text with a colon in quotes to search for it)"
)
FILTER_OPEN_QUOTE = 'the quote at {at} is never closed: add a " after the phrase'
FILTER_NO_VALUE = "{field} needs a value at {at}: e.g. {example}"
FILTER_UNEXPECTED = (
    "unexpected '{character}' at {at}: separate values with commas and terms with spaces"
)
FILTER_EVENT_ON_REQUESTS = (
    "event at {at} is for postbacks: on requests write action:submit or action:cancel"
)
FILTER_ACTION_ON_POSTBACKS = (
    "action at {at} is for requests: on postbacks write an event, e.g. event:shipped"
)
FILTER_BAD_VALUE = "{field} '{value}' at {at} is not one of {allowed}: did you mean {guess}?"
FILTER_BAD_VALUE_NO_GUESS = "{field} '{value}' at {at} is not one of {allowed}"
FILTER_BAD_CODE = "code '{value}' at {at} is not an HTTP status: write 500, 5xx or 500-503"

QUERY_ERROR = "--query: {message}\n    {query}\n    {caret}"
QUERY_PROMPT = (
    'Filter: words, "a phrase", status:failed, -customer:acme, code:5xx '
    "(tab completes, up/down history, enter applies, escape cancels)"
)
CHIP_QUERY_OFF = "off (! turns it on): {value}"
QUERY_OFF = "query off: the list shows what the other filters keep; ! turns it back on"
QUERY_ON = "query on again"
QUERY_NONE = "no query to turn off: / types one"

# -- orderdesk serve: the console in a browser ---------------------------------------
SERVE_HELP = (
    "Serve the console to web browsers: each tab opens its own, as `orderdesk` would, "
    "on loopback unless --public."
)
SERVE_OPT_HOST = "Address to listen on; one that is not loopback needs --public."
SERVE_OPT_PUBLIC = "Allow a --host that is not loopback (put an authenticating proxy in front)."
SERVE_OPT_PUBLIC_URL = (
    "The address browsers open, behind a reverse proxy, e.g. https://desk.example.com."
)
SERVE_NEEDS_PUBLIC = (
    "--host {host} is not a loopback address, and the console shows customer data: "
    "add --public to listen there anyway, behind an authenticating reverse proxy "
    "(see 'In a browser' in README.md), or leave --host at 127.0.0.1"
)
SERVE_PUBLIC_WARNING = (
    "warning: listening on {host}, where other machines can reach it; the console shows "
    "customer data and has no login of its own: put it behind an authenticating reverse proxy"
)
SERVE_BAD_PUBLIC_URL = (
    "--public-url {url!r} is not usable: give the address browsers open, "
    "e.g. https://orderdesk.example.com"
)
SERVE_PORT_TAKEN = "port {port} on {host} is taken by another program: pick another with --port"
SERVE_CANNOT_LISTEN = "cannot listen on {host} port {port} ({why}): check --host"
SERVE_LISTENING = "serving the console on {url}: each browser tab opens its own; Ctrl-C stops"
SERVE_STOPPED = "stopped; every console it started has ended"
SERVE_WRONG_HOST = (
    "this console answers on a loopback address only, not as {host}: "
    "open http://127.0.0.1 with its port, or start it with --public-url"
)
SERVE_WRONG_ORIGIN = "refused: the page at {origin} is not this console's own page"
SERVE_PAGE_TITLE = "orderdesk"
SERVE_PAGE_START = "Start"
SERVE_PAGE_ENDED = "Session ended."
SERVE_PAGE_RESTART = "Restart"
