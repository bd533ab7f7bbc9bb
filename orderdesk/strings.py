"""Every sentence orderdesk says to its users, in one place, in English and French.

Each sentence is written here in English, which is also its key (msgid) in
the catalog; ``N_`` marks it for ``pybabel extract``. The names below are not
kept as module attributes: reading ``strings.NAME`` goes through
``__getattr__`` at the end, which serves the sentence in the language in use
(a dict of sentences comes back as a dict of translations). So a sentence
read at any moment is in the language chosen, and ``.format()`` on it writes
numbers that language's way. They are whole sentences with named
placeholders, never pieces glued together.
"""

from __future__ import annotations

from orderdesk.i18n import N_, gettext, language

NO_SOURCE = N_(
    "no log API to sync from: pass --api-url URL (and --api-key KEY) or set ORDERDESK_API_URL; "
    "to try orderdesk without one, run 'orderdesk simulate' in another terminal"
)
BAD_SOURCE_URL = N_(
    "{url!r} is not a usable log API URL ({why}): use e.g. https://intake.example.com"
)
USAGE_ERROR = N_("orderdesk: {message} (see '{where} --help')")
NO_RECORDS = N_("no records match: widen the time range (--since 7d) or drop a filter")
FOLLOWING = N_("following {url} into {db}, every {interval:g} s; Ctrl-C stops")
STOPPED = N_("stopped; everything fetched so far is stored")
SYNC_PROGRESS = N_("{fetched:,} fetched, {new:,} new, {updated:,} updated")
SYNC_DONE = N_(
    "caught up: {fetched:,} fetched, {new:,} new, {updated:,} updated in {seconds:.1f} s"
)
SYNC_RETRY = N_("{error}; retrying at {when}")
SYNC_PASS = N_("{time}  {new:,} new, {updated:,} updated")

# -- the terminal UI: lists, filters, freshness -------------------------------------
TITLE_REQUESTS = N_("Requests")
TITLE_POSTBACKS = N_("Postbacks")
TITLE_ORDER = N_("Order")
WINDOW_ALL = N_("all time")
WINDOW_PRESET = N_("last {span}")
WINDOW_CUSTOM = N_("from {start} to {end}")
WINDOW_OPEN = N_("the start")
WINDOW_NOW = N_("now")
ZONE_LOCAL = N_("local")
CHIP_ERRORS = N_("errors only")
CHIP_STATUS = N_("status: {statuses}")
CHIP_CUSTOMER = N_("customer: {value}")
CHIP_PRINTER = N_("printer: {value}")
CHIP_ORDER = N_("order: {value}")
CHIP_SEARCH = N_("search: {value}")
FILTER_BAR = N_("{window} · times in {zone}")
ROWS_EXACT = N_("{count:,} records")
ROWS_AT_LEAST = N_("≥ {count:,} records")
ROWS_NONE = N_("no records match: widen the time range (t) or clear the filters (x)")
FRESH_NEVER = N_("not synced yet: the first sync is starting")
FRESH_SYNCED = N_("synced {age} ago")
FRESH_SYNCING = N_("syncing: {fetched:,} fetched, {new:,} new")
FRESH_NEW = N_("{new:,} new since you looked")
FRESH_FOLLOWING = N_("following the newest")
FRESH_FAILING = N_("source failing: {error}; next try at {when}")
FRESH_STOPPED = N_("sync stopped: {error}")
FRESH_SERVICE = N_("sync service {holder}")
FRESH_SERVICE_GONE = N_("no sync service running")
FRESH_TOOK_OVER = N_("took over sync: the service stopped")
FRESH_READ_ONLY = N_("reading the store; no source configured")
ORDER_PROMPT = N_("Order reference (enter to open, escape to cancel)")
TIME_RANGE_TITLE = N_("Time range (times in {zone})")
TIME_RANGE_FROM = N_("From: 2026-11-20 14:00, -2h, 3d, today, yesterday")
TIME_RANGE_TO = N_("To (empty for now)")
TIME_RANGE_APPLY = N_("Apply")
FILTERS_TITLE = N_("Filters")
FILTERS_STATUSES = N_("Statuses (space toggles)")
FILTERS_CUSTOMER = N_("Customer id or name")
FILTERS_PRINTER = N_("Printer id or name")
FILTERS_APPLY = N_("Apply")
FIRST_RUN_TITLE = N_("Welcome to orderdesk")
FIRST_RUN_BODY = N_(
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
WORKER_FAILED = N_("{name} failed: {error}")
NO_DRILL_DOWN = N_("the record view is not available in this build")
NO_ORDER_SELECTED = N_("select a record first, or press 3 to type an order reference")
COLUMN_HEADERS = {
    "time": N_("TIME"),
    "reference": N_("ORDER REF"),
    "customer": N_("CUSTOMER"),
    "printer": N_("PRINTER"),
    "action": N_("ACTION"),
    "status": N_("STATUS"),
    "duration": N_("TOOK"),
    "error": N_("ERROR"),
    "event": N_("EVENT"),
    "delivery": N_("DELIVERY"),
    "attempts": N_("TRIES"),
    "code": N_("CODE"),
}
TIME_RANGE_PRESETS = {
    "15m": N_("Last 15 minutes"),
    "1h": N_("Last hour"),
    "4h": N_("Last 4 hours"),
    "24h": N_("Last 24 hours"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
    "all": N_("All time"),
}
TIME_RANGE_CUSTOM = N_("Or a custom range (enter applies):")
TIME_RANGE_BAD = "{error}"
ERRORS_ON = N_("showing errors only")
ERRORS_OFF = N_("showing every status")
FILTERS_CLEARED = N_("filters cleared")
ZONE_NOW = N_("times are now in {zone}")

# -- the terminal UI: the record drill-down and the order view ------------------------
STAGE_ORIGINAL = N_("Original")
STAGE_TEMPLATE = N_("Template")
STAGE_FINAL = N_("Final")
STAGE_RESPONSE = N_("Response")
STAGE_FAILED_MARK = N_("✗ failed here")
STAGE_ERROR = N_("{code}: {message}")
NOT_DELIVERED = N_("not delivered to the customer after {attempts} attempts; last answer: {answer}")
STILL_RETRYING = N_(
    "not delivered yet, still retrying after {attempts} attempts; last answer: {answer}"
)
NO_TEMPLATE = N_("no template processing was recorded")
NO_TEMPLATE_OUTPUT = N_("the template produced no output")
NOT_SENT = N_("not sent")
NO_ANSWER = N_("no answer was recorded")
NO_HEADERS = N_("no headers")
NO_BODY = N_("no body was recorded")
BODY = N_("body")
TEMPLATE_SOURCE = N_("template source")
TEMPLATE_OUTPUT = N_("template output")
HEADERS = N_("headers")
ATTEMPT_COUNT = N_("{count} attempts")
ATTEMPTS = N_("delivery attempts")
ATTEMPT_LINE = N_("#{number}  {time}  {answer}  {duration}")
RECORD_KIND = {"requests": N_("Request"), "postbacks": N_("Postback")}
RECORD_HEADER = N_(
    "{kind} {id} · order {reference} · {source} → {target} · {status} · "
    "{created} {zone} · updated {updated}"
)
RECORD_MISSING = N_(
    "no record {id} in the store: it may have been removed; press escape to go back"
)
NO_REFERENCE = N_("this record has no order reference")
STAGE_COPIED = N_("copied the {stage} stage of {id} ({size})")
STAGE_SAVED = N_("saved the {stage} stage of {id} to {path}")
STAGE_NOT_SAVED = N_("could not save the {stage} stage: {error}")
ORDER_HEADER = N_("Order {reference} · {customers} → {printers} · times in {zone}")
ORDER_IDS = N_("printer orders: {ids}")
ORDER_NO_IDS = N_("no printer order id yet")
ORDER_EMPTY = N_(
    "nothing in the store about order {reference}: check the reference, or widen the sync"
)
ORDER_TRUNCATED = N_("more records than shown: only the first {count} of each kind are listed")
ORDER_ALL_WELL = N_("nothing missing: every request went through and every postback was delivered")
TITLE_ORDER_TIMELINE = N_("timeline, oldest first (enter opens a record)")

SYNC_LEASE_HELD = N_(
    "{holder} is already syncing this store; stop it first, or run with --wait to take over "
    "when it stops"
)
SYNC_WAITING = N_("{holder} is syncing this store; waiting for it to stop (Ctrl-C to give up)")

# -- The order timeline's findings (orderdesk.findings), and `orderdesk order REF` --------

FINDING_REQUEST_FAILED = N_("the {subject} request failed: {detail}")
FINDING_NOT_RECEIVED = N_(
    "printer order {order_id} was accepted, but no order_received came within {threshold} "
    "(silent for {waited})"
)
FINDING_AWAITING_RECEIPT = N_(
    "printer order {order_id} was sent {waited} ago; no order_received yet "
    "(expected within {threshold})"
)
FINDING_SHIPPED_UNDELIVERED = N_(
    "the shipped postback never reached the customer's system: {detail}; "
    "the customer never got the shipping notification"
)
FINDING_UNDELIVERED = N_("the {subject} postback never reached the customer's system: {detail}")
FINDING_RETRYING = N_(
    "the {subject} postback is still being retried after {waited} (more than {threshold}): {detail}"
)
FINDING_RETRYING_NOTICE = N_("delivery of the {subject} postback is being retried: {detail}")
FINDING_ERROR_POSTBACK = N_("the printer reported an error on printer order {order_id}: {detail}")
FINDING_CANCEL_REFUSED = N_(
    "a cancel came after printer order {order_id} was printed (at {printed}); "
    "the printer refused it"
)
FINDING_CANCEL_AFTER_PRINTED = N_(
    "a cancel came after printer order {order_id} was printed (at {printed}); "
    "check whether the parcel still ships"
)
FINDING_DUPLICATE = N_(
    "the reference was submitted again, {waited} after the first submit (at {first}): "
    "a duplicate order reference"
)
FINDING_NO_REQUEST = N_("postbacks arrived, but no request for this order is in the store")
FINDINGS_TITLE = N_("what is missing or wrong ({count})")
FINDING_RECORDS = N_("records: {ids}")
ORDER_UNKNOWN = N_(
    "no records for order reference '{reference}' in {db}: check the reference, "
    "or look for part of it with: orderdesk requests --search '{reference}'"
)
ORDER_REPORT_IDS = N_("printer orders: {ids}")
ORDER_REPORT_NO_FINDINGS = N_(
    "findings: none, every request went through and every postback was delivered"
)
ORDER_REPORT_FINDINGS = N_("findings ({count}):")
NEXT_FINDING_NONE = N_("nothing is missing or wrong in this order")
# -- the terminal UI: marks, export, saved views, volume -------------------------------
MARK = "●"
CHIP_MARKED = N_("{count:,} marked")
CHIP_MARKED_ONLY = N_("marked only ({count:,})")
MARKED_ONLY_ON = N_("showing only the {count:,} marked records")
MARKED_ONLY_OFF = N_("showing every record again; the marks stay")
NOTHING_MARKED = N_("nothing is marked: press m on a record to mark it")
EXPORT_TITLE = {"requests": N_("Export requests"), "postbacks": N_("Export postbacks")}
EXPORT_JSONL = N_("JSON lines: whole records, as the log API gives them")
EXPORT_CSV = N_("CSV: the list's columns, one row per record")
EXPORT_MARKED_ONLY = N_("Only the marked records ({count:,})")
EXPORT_FILE = N_("File (enter exports, escape cancels)")
EXPORT_START = N_("Export")
EXPORT_NO_PATH = N_("type the file to write")
EXPORT_NOTHING = N_("no records match: there is nothing to export")
EXPORT_FAILED = N_("could not write {path}: {error}")
EXPORT_DONE = N_("wrote {count:,} records to {path}")
EXPORT_CANCELLED = N_("export stopped: nothing was written to {path}")
EXPORT_BROKE = N_("the export failed, and nothing was written: {error}")
VIEW_COMMAND = N_("View: {name}")
VIEW_COMMAND_HELP = N_("Open this saved view on the {screen} list")
VIEW_SCREENS = {"requests": N_("Requests"), "postbacks": N_("Postbacks")}
VIEW_SAVE = N_("Save current view as…")
VIEW_SAVE_HELP = N_("Keep this list's screen, time range and filters under a name, in {path}")
VIEW_NAME_PROMPT = N_("Name of the view (enter saves, escape cancels)")
VIEW_SAVED = N_("saved the view {name} in {path}")
VIEW_NOT_SAVED = N_("could not save the view: {error}")
VIEW_OPENED = N_("view {name}")
VIEWS_BROKEN = N_("Views: the views file has a mistake")
VOLUME_COUNTING = N_("counting records over the range…")
VOLUME_EMPTY = N_("no records in this range")
VOLUME_SUMMARY = N_("{step} a bar · peak {peak:,} · [ ] picks")
VOLUME_BUCKET = N_("{start} · {records:,} · {failures:,} failed")
VOLUME_NARROWED = N_("time range now from {start} to {end}")
VOLUME_FAILED = N_("could not count the volume: {error}")
EXPORT_COMMAND = N_("Export the list…")
EXPORT_HELP = N_("Write this list, or only its marked records, to a JSON lines or CSV file (X)")
MARKED_COMMAND = N_("Marked records only")
MARKED_HELP = N_("Show only the records marked with m, or every record again (M)")
# -- the terminal UI: search in a stage, what the template changed, compare, curl ------
STAGE_SEARCH_PROMPT = N_("Find in this stage (enter to find, escape to close)")
STAGE_SEARCH_PROMPT_IN = N_("Find in the {stage} stage (enter to find, escape to close)")
SEARCH_HIT_OF = N_("“{needle}”: hit {number} of {count} (n next, N previous)")
SEARCH_HIT_OF_MORE = N_("“{needle}”: hit {number} of {count} or more (n next, N previous)")
SEARCH_NO_HITS = N_("“{needle}” is not in this stage")
SEARCH_NONE_ACTIVE = N_("nothing searched in this stage: press / to search")
CHANGES_HEADER = N_("What the template changed · {id} · order {reference} · {customer}")
CHANGES_COUNT = N_("{count} {mark}")
CHANGES_NO_ORIGINAL = N_(
    "the Original body is not JSON or XML (or was not recorded): nothing to pair"
)
CHANGES_NO_FINAL = N_("nothing came out of the template: no Final request and no template output")
CHANGES_FINAL_UNREADABLE = N_("the Final body is not JSON or XML: nothing to pair")
CHANGES_ALL_USED = N_("every field of the Original fed the Final request")
CHANGES_UNUSED = N_("not used from the Original ({count}): {fields}")
CHANGES_COLUMNS = {
    "mark": N_("WHAT"),
    "output": N_("FINAL FIELD"),
    "source": N_("FROM ORIGINAL FIELD"),
    "value": N_("VALUE (ORIGINAL → FINAL)"),
}
MARKS = {
    "defaulted": N_("defaulted"),
    "empty": N_("empty"),
    "unmatched": N_("from elsewhere"),
    "changed": N_("changed"),
    "copied": N_("copied"),
    "fixed": N_("fixed"),
}
MARK_SYMBOLS = {
    "defaulted": "⚠",
    "empty": "∅",
    "unmatched": "?",
    "changed": "≠",
    "copied": "=",
    "fixed": "•",
}
CHANGE_VIA = {"template": N_("by the template's source"), "value": N_("by equal values")}
CHANGE_FROM = N_("{output} ← {source} ({via}): {before} → {after}")
CHANGE_FIXED = N_("{output} is always {value}: the template writes it as it is")
CHANGE_NO_SOURCE = N_(
    "{output} = {value}: from neither the Original nor the template's source "
    "(the service's own records, or a computed value)"
)
COMPARE_BASE_SET = N_(
    "{id} is the base of a comparison: open another {kind} and press c to compare it with this one"
)
COMPARE_SAME_RECORD = N_("this record is the base: open another {kind} and press c there")
COMPARE_OTHER_KIND = N_(
    "the base was a {old}; this {new} is the base now: open another {new} and press c"
)
COMPARE_HEADER = N_(
    "Comparing {other} ({other_status}) with the base {base} ({base_status}): {count} fields differ"
)
COMPARE_SAME = N_("the two records are the same, field by field")
COMPARE_MISSING = N_("(absent)")
COMPARE_COLUMNS = {
    "section": N_("WHERE"),
    "field": N_("FIELD"),
    "base": N_("BASE"),
    "other": N_("THIS RECORD"),
}
COMPARE_SECTIONS = {
    "record": N_("record"),
    "original": N_("Original"),
    "final": N_("Final"),
    "response": N_("Response"),
}
COMPARE_DETAIL = N_("{section} {field}: base {base}, this record {other}")
COMPARE_KIND = {"requests": N_("request"), "postbacks": N_("postback")}
CURL_COPIED = N_(
    "copied the Final request of {id} as a curl command ({size}); secrets stay redacted"
)
CURL_NOT_SENT = N_("the Final request was never sent: there is no request to copy as curl")


# -- The filter language (the / prompt and --query) ----------------------------------------

FILTER_AMBIGUOUS_FIELD = N_("field '{name}' at {at} could be {choices}: write more of it")
FILTER_UNKNOWN_FIELD = N_(
    "unknown field '{name}' at {at}: did you mean {guess}? "
    "(put text with a colon in quotes to search for it)"
)
FILTER_UNKNOWN_FIELD_NO_GUESS = N_(
    "unknown field '{name}' at {at}: the fields are {fields} "
    "(put text with a colon in quotes to search for it)"
)
FILTER_OPEN_QUOTE = N_('the quote at {at} is never closed: add a " after the phrase')
FILTER_NO_VALUE = N_("{field} needs a value at {at}: e.g. {example}")
FILTER_UNEXPECTED = N_(
    "unexpected '{character}' at {at}: separate values with commas and terms with spaces"
)
FILTER_EVENT_ON_REQUESTS = N_(
    "event at {at} is for postbacks: on requests write action:submit or action:cancel"
)
FILTER_ACTION_ON_POSTBACKS = N_(
    "action at {at} is for requests: on postbacks write an event, e.g. event:shipped"
)
FILTER_BAD_VALUE = N_("{field} '{value}' at {at} is not one of {allowed}: did you mean {guess}?")
FILTER_BAD_VALUE_NO_GUESS = N_("{field} '{value}' at {at} is not one of {allowed}")
FILTER_BAD_CODE = N_("code '{value}' at {at} is not an HTTP status: write 500, 5xx or 500-503")

QUERY_ERROR = N_("--query: {message}\n    {query}\n    {caret}")
QUERY_PROMPT = N_(
    'Filter: words, "a phrase", status:failed, -customer:acme, code:5xx '
    "(tab completes, up/down history, enter applies, escape cancels)"
)
CHIP_QUERY_OFF = N_("off (! turns it on): {value}")
QUERY_OFF = N_("query off: the list shows what the other filters keep; ! turns it back on")
QUERY_ON = N_("query on again")
QUERY_NONE = N_("no query to turn off: / types one")


# -- the terminal UI: what each key does (the footer, the ? panel) ---------------------------
KEY_REQUESTS = N_("Requests")
KEY_POSTBACKS = N_("Postbacks")
KEY_ORDER = N_("Order")
KEY_UTC = N_("UTC")
KEY_HELP = N_("Keys")
KEY_QUIT = N_("Quit")
KEY_SEARCH = N_("Search")
KEY_FILTERS = N_("Filters")
KEY_TIME = N_("Time")
KEY_ERRORS = N_("Errors")
KEY_CLEAR = N_("Clear")
KEY_QUERY_TOGGLE = N_("Query on/off")
KEY_FOLLOW = N_("Follow")
KEY_MARKED_ONLY = N_("Marked only")
KEY_EXPORT = N_("Export")
KEY_VOLUME = N_("Volume")
KEY_BACK = N_("Back")
KEY_CANCEL = N_("Cancel")
KEY_NEXT_STAGE = N_("Next stage")
KEY_PREVIOUS_STAGE = N_("Previous stage")
KEY_MAXIMISE = N_("Maximise")
KEY_WRAP = N_("Wrap")
KEY_COPY = N_("Copy")
KEY_SAVE = N_("Save")
KEY_CHANGES = N_("Changes")
KEY_FIND = N_("Find")
KEY_COMPARE = N_("Compare")
KEY_COPY_CURL = N_("Copy curl")
KEY_NEXT_HIT = N_("Next hit")
KEY_PREVIOUS_HIT = N_("Previous hit")
KEY_OPEN = N_("Open")
KEY_NEXT_FINDING = N_("Next finding")
KEY_EARLIER = N_("Earlier")
KEY_LATER = N_("Later")
KEY_NARROW = N_("Narrow to it")
KEY_BACK_TO_LIST = N_("Back to the list")
KEY_COMPLETE = N_("Complete")
KEY_OLDER_QUERY = N_("Older query")
KEY_NEWER_QUERY = N_("Newer query")
KEY_DOWN = N_("Down")
KEY_UP = N_("Up")
KEY_PAGE_DOWN = N_("Page down")
KEY_PAGE_UP = N_("Page up")
KEY_FIRST = N_("First")
KEY_LAST = N_("Last")
KEY_MARK = N_("Mark")


# -- serving the sentences in the language in use ------------------------------------------

_ENGLISH = {name: value for name, value in globals().items() if name.isupper()}
for _name in _ENGLISH:
    del globals()[_name]
_served: dict[tuple[str, str], object] = {}


def _translated(value: object) -> object:
    if isinstance(value, str):
        return gettext(value)
    if isinstance(value, dict):
        return {key: _translated(text) for key, text in value.items()}
    return value


def __getattr__(name: str) -> object:
    """``strings.NAME`` in the language in use (computed once per language)."""
    key = (language(), name)
    try:
        return _served[key]
    except KeyError:
        pass
    try:
        english = _ENGLISH[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    served = _served[key] = _translated(english)
    return served


def names() -> list[str]:
    """Every sentence's name, for the tests that compare the languages."""
    return sorted(_ENGLISH)
