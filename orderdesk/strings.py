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

from orderdesk.i18n import N_, P_, InContext, gettext, language, pgettext

NO_SOURCE = N_(
    "no log API to sync from: pass --api-url URL (and --api-key KEY) or set ORDERDESK_API_URL; "
    "to try orderdesk without one, run 'orderdesk simulate' in another terminal"
)
BAD_SOURCE_URL = N_(
    "{url!r} is not a usable log API URL ({why}): use e.g. https://intake.example.com"
)
USAGE_ERROR = N_("orderdesk: {message} (see '{where} --help')")
ERROR_LINE = N_("orderdesk: {message}")
STORE_EMPTY = N_("the store at {db} is empty: fill it with 'orderdesk sync --once --api-url URL'")
SYNC_IN_PROGRESS = N_(
    "a sync is still catching up: {stored:,} records so far, none of them matching yet; "
    "run this again when it has caught up"
)
NOTHING_MATCHES = N_("no records match these filters: drop or loosen one")
NOTHING_IN_RANGE = N_(
    "no records match in this time range; the newest that matches is from {time}: "
    "widen the range, e.g. --since {since}"
)
NOTHING_IN_RANGE_LATER = N_(
    "no records match in this time range; the newest that matches is from {time}, "
    "after --to: move --to later or drop it"
)
REFERENCE_UNKNOWN = N_(
    "no record has the order reference '{reference}': check it, or look for part of it "
    "with: orderdesk requests --search '{reference}'"
)
REFERENCE_UNKNOWN_NEAREST = N_(
    "no record has the order reference '{reference}'; the nearest are: {nearest}"
)
SINCE_A_MOMENT = N_("--since takes an age such as 15m, 2h or 7d; for a moment, use --from {text}")
LIST_MORE_TABLE = N_("… more records match: --limit N shows N of them, --limit 0 shows them all")
LIST_CUT = N_(
    "only the first {shown:,} matching records were written; more match (--limit 0 for all)"
)
FOLLOWING = N_("following {url} into {db}, every {interval:g} s; Ctrl-C stops")
SYNC_INTERRUPTED = N_(
    "stopped before catching up: {stored:,} records in the store; "
    "the next sync continues from there"
)
SYNC_STOPPED_CAUGHT_UP = N_(
    "stopped; the store was caught up at {time} and holds {stored:,} records"
)
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
WINDOW_PRESETS = {
    "15m": N_("last 15m"),
    "1h": N_("last 1h"),
    "4h": N_("last 4h"),
    "24h": N_("last 24h"),
    "7d": N_("last 7d"),
    "30d": N_("last 30d"),
}
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
# What an empty list says: a hint only where it would show records.
EMPTY_WIDEN_OR_CLEAR = N_("no records match: widen the time range (t) or clear the filters (x)")
EMPTY_WIDEN = N_("no records in this time range: widen it (t)")
EMPTY_CLEAR = N_("no records match the filters: clear them (x)")
EMPTY_KIND = N_("none stored yet: the store holds only the other list's records (1, 2)")
EMPTY_NO_MATCH = N_("no records match")
EMPTY_FIRST_SYNC = N_("first sync in progress: {count:,} records so far")
EMPTY_FIRST_SYNC_FAILING = N_("no records yet: the source is failing ({key} shows why)")
EMPTY_SOURCE_EMPTY = N_("the store is empty: the source has sent no records yet")
EMPTY_STORE = N_(
    "the store is empty: fill it with orderdesk sync --api-url URL, "
    "or try orderdesk demo on a simulated service"
)
FRESH_NEVER = N_("not synced yet: the first sync is under way")
FRESH_SYNCED = N_("synced {age} ago")
FRESH_SYNCING = N_("syncing: {fetched:,} fetched, {new:,} new")
FRESH_NEW = N_("{new:,} new since you looked")
FRESH_FOLLOWING = N_("following the newest")
FRESH_NOT_YET = N_("not synced yet")
FRESH_NOT_CAUGHT_UP = N_("never caught up")
# Few words, so that since when, the error and the next try fit 80 columns in every language.
FRESH_FAILING = N_("✗ {error}")
FRESH_FAILING_SINCE = N_("✗ {error} since {since}")
FRESH_NEXT_TRY = N_("next try {when}")
FRESH_STOPPED = N_("✗ sync stopped: {error}")
SOURCE_ERROR_TITLE = N_("The source is failing; the sync tries again by itself")
SOURCE_ERROR_STOPPED = N_("The sync stopped; restart orderdesk once this is fixed")
SOURCE_ERROR_SINCE = N_("Failing since {since}")
SOURCE_ERROR_NEXT_TRY = N_("Next try at {when}")
FRESH_SERVICE = N_("sync service {holder}")
FRESH_SERVICE_GONE = N_("no sync service running")
FRESH_TOOK_OVER = N_("took over sync: the service stopped")
FRESH_READ_ONLY = N_("reading the store; no source configured")
ORDER_FINDER_LABEL = N_("Order >")
ORDER_FINDER_PLACEHOLDER = N_("a reference: its timeline shows as you type")
ORDER_FINDER_HINT = N_("type an order reference above: its timeline shows as you type")
ORDER_FINDER_NONE = N_(
    "no order reference is or begins with '{reference}' in the store: check it, "
    "or search for part of it with / on a list"
)
ORDER_FINDER_CANDIDATES = N_(
    "no order '{reference}' yet; the references it could be (enter takes the first):"
)
TIME_RANGE_TITLE = N_("Time range (times in {zone})")
TIME_RANGE_FROM = N_("From: 2026-11-20 14:00, -2h, 3d, today, yesterday")
TIME_RANGE_TO = N_("To (empty for now)")
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
ERRORS_ON = N_("showing errors only")
ERRORS_OFF = N_("showing every status")
FILTERS_CLEARED = N_("filters cleared")
ZONE_NOW = N_("times are now in {zone}")

# -- the terminal UI: the record drill-down and the order view ------------------------
STAGE_ORIGINAL = N_("Original")
STAGE_TEMPLATE = N_("Template")
STAGE_FINAL = N_("Final")
STAGE_RESPONSE = N_("Response")
STAGE_FAILED_MARK = N_("✗ failed here: ")
#: The tabs of the four stages at 80x24, where the full names do not fit side by side.
STAGE_TABS = {
    "original": P_("tab", "Original"),
    "template": P_("tab", "Template"),
    "final": P_("tab", "Final"),
    "response": P_("tab", "Response"),
}
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
STAGE_DOWNLOADED = N_("sent the {stage} stage of {id} to your browser as a download")
STAGE_NOT_SAVED = N_("could not save the {stage} stage: {error}")
ORDER_HEADER = N_("Order {reference} · {customers} → {printers} · times in {zone}")
ORDER_IDS = N_("printer orders: {ids}")
ORDER_NO_IDS = N_("no printer order id yet")
ORDER_EMPTY = N_(
    "no record has the order reference {reference}: check it, or press 3 and type its "
    "beginning to see the references the store has"
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
FINDING_RECORDS = N_("records: {ids}")
ORDER_REPORT_IDS = N_("printer orders: {ids}")
ORDER_REPORT_NO_FINDINGS = N_(
    "findings: none, every request went through and every postback was delivered"
)
ORDER_REPORT_FINDINGS = N_("findings ({count}):")
#: Then the redeliveries and resubmits of the order's records, oldest first.
ORDER_REPORT_ACTIONS = N_("actions ({count}):")
ORDER_REPORT_ACTION_ON = N_("on {kind} {id}, because: {reason}")
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
EXPORT_DOWNLOADED = N_(
    "wrote {count:,} records to {path} on the server, and sent it to your browser as a download"
)
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
VOLUME_SUMMARY = N_("{step} a bar · peak {peak:,}")
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
COMPARE_BASE_SET = {
    "requests": N_(
        "{id} is the base of a comparison: open another request and press c to compare it "
        "with this one"
    ),
    "postbacks": N_(
        "{id} is the base of a comparison: open another postback and press c to compare it "
        "with this one"
    ),
}
COMPARE_SAME_RECORD = {
    "requests": N_("this record is the base: open another request and press c there"),
    "postbacks": N_("this record is the base: open another postback and press c there"),
}
#: By the kind of the record that becomes the base.
COMPARE_OTHER_KIND = {
    "requests": N_(
        "the base was a postback; this request is the base now: open another request and press c"
    ),
    "postbacks": N_(
        "the base was a request; this postback is the base now: open another postback and press c"
    ),
}
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
QUERY_PROMPT = N_('Filter: words, "a phrase", status:failed OR code:5xx, -(…), took:>30s')
CHIP_QUERY_OFF = N_("off (! turns it on): {value}")
QUERY_OFF = N_("query off: the list shows what the other filters keep; ! turns it back on")
QUERY_ON = N_("query on again")
QUERY_NONE = N_("no query to turn off: / types one")


# -- the terminal UI: what each key does (the footer, the ? panel) ---------------------------
KEY_REQUESTS = P_("key", "Requests")
KEY_POSTBACKS = P_("key", "Postbacks")
KEY_ORDER = P_("key", "Order")
KEY_UTC = P_("key", "UTC")
KEY_HELP = P_("key", "Keys")
KEY_QUIT = P_("key", "Quit")
KEY_SEARCH = P_("key", "Search")
KEY_FILTERS = P_("key", "Filters")
KEY_TIME = P_("key", "Time")
KEY_ERRORS = P_("key", "Errors")
KEY_CLEAR = P_("key", "Clear")
KEY_QUERY_TOGGLE = P_("key", "Query on/off")
KEY_FOLLOW = P_("key", "Follow")
KEY_MARKED_ONLY = P_("key", "Marked only")
KEY_EXPORT = P_("key", "Export")
KEY_VOLUME = P_("key", "Volume")
KEY_BACK = P_("key", "Back")
KEY_CANCEL = P_("key", "Cancel")
KEY_NEXT_STAGE = P_("key", "Next stage")
KEY_PREVIOUS_STAGE = P_("key", "Previous stage")
KEY_MAXIMISE = P_("key", "Maximise")
KEY_WRAP = P_("key", "Wrap")
KEY_COPY = P_("key", "Copy")
KEY_SAVE = P_("key", "Save")
KEY_CHANGES = P_("key", "Changes")
KEY_FIND = P_("key", "Find")
KEY_COMPARE = P_("key", "Compare")
KEY_COPY_CURL = P_("key", "Copy curl")
KEY_NEXT_HIT = P_("key", "Next hit")
KEY_PREVIOUS_HIT = P_("key", "Previous hit")
KEY_OPEN = P_("key", "Open")
KEY_NEXT_FINDING = P_("key", "Next finding")
KEY_TO_TIMELINE = P_("key", "To the timeline")
KEY_EARLIER = P_("key", "Earlier")
KEY_LATER = P_("key", "Later")
KEY_NARROW = P_("key", "Narrow")
KEY_BACK_TO_LIST = P_("key", "Back to the list")
KEY_COMPLETE = P_("key", "Complete")
KEY_OLDER_QUERY = P_("key", "Older query")
KEY_NEWER_QUERY = P_("key", "Newer query")
KEY_DOWN = P_("key", "Down")
KEY_UP = P_("key", "Up")
KEY_PAGE_DOWN = P_("key", "Page down")
KEY_PAGE_UP = P_("key", "Page up")
KEY_FIRST = P_("key", "First")
KEY_LAST = P_("key", "Last")
KEY_MARK = P_("key", "Mark")
KEY_CLOSE = P_("key", "Close")
TOO_SMALL = N_("terminal too small: at least {needed} needed, this is {size}")
KEY_APPLY = P_("key", "Apply")

# -- the terminal UI: the ? screen, each key grouped by purpose and said in full ----------------
HELP_TITLE = N_("The keys of this screen, then those of every screen")
HELP_CLOSE = N_("escape, ? or q closes this help; up, down and page keys scroll it")
HELP_PURPOSES = {
    "move": N_("Move"),
    "open": N_("Open"),
    "filter": N_("Filter"),
    "act": N_("Act"),
    "everywhere": N_("Everywhere"),
}
#: What each key does, by its action (``app.`` first for the keys of every screen).
HELP_KEYS = {
    "move(1)": N_("Down one record"),
    "move(-1)": N_("Up one record"),
    "page(1)": N_("Down one page of records"),
    "page(-1)": N_("Up one page of records"),
    "first": N_("To the first record, the newest"),
    "last": N_("To the last record, the oldest"),
    "cursor_down": N_("Down one line"),
    "cursor_up": N_("Up one line"),
    "page_down": N_("Down one page"),
    "page_up": N_("Up one page"),
    "select(-1)": N_("The earlier slice of the volume bar"),
    "select(1)": N_("The later slice of the volume bar"),
    "next_stage": N_("Next stage: Original, Template, Final, Response"),
    "previous_stage": N_("Previous stage"),
    "next_finding": N_("Next finding on the timeline: a failure, or what is missing"),
    "leave_box": N_("From the reference box down to the timeline"),
    "next_hit": N_("Next match of the text found in the stage"),
    "previous_hit": N_("Previous match of the text found in the stage"),
    "history(-1)": N_("The older query of this session"),
    "history(1)": N_("The newer query of this session"),
    "open": N_("Open the record: its four stages, from Original to Response"),
    "order": N_("Open the record's order: its requests and postbacks on one timeline"),
    "open_order": N_("Open the record's order: its requests and postbacks on one timeline"),
    "open_record": N_("Open the highlighted record of the timeline"),
    "select": N_("Open the highlighted reference"),
    "template_changes": N_("What the template changed, field by field"),
    "compare": N_("Keep this record to compare, or compare it with the one kept"),
    "narrow": N_("Narrow the time range to the picked slice"),
    "open_group": N_("The orders of the highlighted problem"),
    "open_finding_order": N_("Open the highlighted order: its requests and postbacks"),
    "search": N_('Filter by words, "a phrase", terms such as status:failed, OR and (groups)'),
    "complete": N_("Take the completion; pressed again, the next one"),
    "submit": N_("Apply the typed query"),
    "filters": N_("Choose statuses, customer and printer"),
    "time_range": N_("Choose the time range"),
    "errors_only": N_("Only the records that failed, or all again"),
    "clear_filters": N_("Clear every filter"),
    "toggle_query": N_("Turn the typed query off, or on again"),
    "marked_only": N_("Only the marked records, or all again"),
    "volume": N_("Pick a slice of the volume bar ([ and ] move, enter narrows)"),
    "mark": N_("Mark the record, to export only the marked ones"),
    "follow": N_("Keep the newest record in view as records arrive"),
    "export": N_("Export the records of the list to a file"),
    "maximize_stage": N_("Show the stage alone, or all of them again"),
    "toggle_wrap": N_("Wrap long lines of the bodies, or not"),
    "copy_stage": N_("Copy the stage to the clipboard"),
    "save_stage": N_("Save the stage to a file"),
    "search_stage": N_("Find text in the stage"),
    "copy_curl": N_("Copy a curl command that sends this request again"),
    "back": N_("Back one step"),
    "leave": N_("Back to the list"),
    "app.leave_problems": N_("Back to the list"),
    "cancel": N_("Close without changing anything"),
    "screen.close_prompt": N_("Close the query box without applying it"),
    "app.show('requests')": N_("The Requests list"),
    "app.show('postbacks')": N_("The Postbacks list"),
    "app.order": N_("Find an order by its reference"),
    "app.problems": N_("The open problems, one group per rule, customer, printer and cause"),
    "app.actions": N_("The action trail: who redelivered or resubmitted what, and how it ended"),
    "app.toggle_utc": N_("Times in UTC, or in the chosen zone again"),
    "app.help": N_("These keys"),
    "app.command_palette": N_("Every command by name: screens, time ranges, themes"),
    "app.quit": N_("Quit orderdesk"),
}
KEY_SYNC_ERROR = P_("key", "Sync error")


# -- the log API client's errors (the status line, sync and the console) ----------------------
API_NOT_HTTP = N_(
    "the log API URL {url!r} is not an http(s) URL: "
    "give the service's base URL, e.g. http://localhost:8000"
)
API_NO_HEALTH = N_(
    "{url} has no {path} (404), so it is not an order-intake log API: "
    "check the URL; it is the service's base URL, without /v1"
)
API_NO_PAGES = N_(
    "{url} has no {path} (404), so it is not an order-intake log API of version 1: "
    "check the URL; it is the service's base URL, without /v1"
)
API_NOT_A_LOG_API = N_(
    "{where} {what}, so the URL does not serve an order-intake log API: "
    "check the URL; it is the service's base URL, without /v1"
)
API_NOT_JSON = N_("answered with something other than JSON")
API_NO_STATUS = N_('did not answer {"status": "ok", ...}')
API_NO_TIME = N_("answered without a valid time")
API_STATUS = N_("the log API at {url} reports status {status!r}: will retry")
API_TIMEOUT = N_(
    "the log API at {url} did not answer {path} within {seconds:g} s ({error}): "
    "will retry; check the service if this persists"
)
API_CONNECTION_LOST = N_("lost the connection to the log API at {url} ({error}): will retry")
API_UNREACHABLE = N_(
    "cannot reach the log API at {url} ({error}): check the URL and that the service is running"
)
API_URL_UNUSABLE = N_("the log API URL {url} is not usable: {error}")
API_BROKE = N_("the connection to the log API at {url} broke during {path} ({error}): will retry")
API_KEY_REFUSED = N_(
    "the log API at {url} refused the key ({status}): check --api-key or ORDERDESK_API_KEY"
)
API_KEY_WANTED = N_(
    "the log API at {url} wants a key ({status}): pass --api-key or set ORDERDESK_API_KEY"
)
API_RATE_LIMITED = N_("the log API at {url} is rate limiting us (429)")
API_RATE_LIMITED_WAIT = N_(
    "the log API at {url} is rate limiting us (429, Retry-After {seconds:g} s)"
)
API_FAILED = N_("the log API at {url} failed {path} ({status}): will retry")
API_REDIRECTS = N_(
    "the log API at {url} redirects {path} to {location} ({status}): use the URL it redirects to"
)
API_REJECTED = N_(
    "the log API at {url} rejected {path} ({status}): {error}; "
    "this orderdesk and the service disagree on the log API contract"
)
API_BODY_NOT_JSON = N_("its body is not valid JSON")
API_MALFORMED = N_("the log API at {url} sent a malformed answer to {path} ({detail}): will retry")
API_NO_EXPLANATION = N_("no explanation")
# A source's failure in a few words, for the status line; the whole message is one key away.
BRIEF_SOURCE_ERROR = N_("source error")
BRIEF_STORE_UNREADABLE = N_("store unreadable")
BRIEF_TIMEOUT = N_("timeout")
BRIEF_REFUSED = N_("connection refused")
BRIEF_UNKNOWN_HOST = N_("unknown host")
BRIEF_UNREACHABLE = N_("unreachable")
BRIEF_BROKEN = N_("connection broken")
BRIEF_HTTP = N_("HTTP {status}")
BRIEF_MALFORMED = N_("malformed answer")
BRIEF_NOT_OK = N_("service not ok")
BRIEF_NOT_A_LOG_API = N_("not a log API")
BRIEF_KEY_REFUSED = N_("key refused ({status})")
BRIEF_KEY_WANTED = N_("key needed ({status})")
RETRY_CAPPED = N_("retrying in {seconds:g} s (the server asked {asked:g} s; capped)")
RETRY_AS_ASKED = N_("retrying in {seconds:g} s, as the server asked")
RETRY_IN = N_("retrying in {seconds:.1f} s")

# -- time ranges, saved views and the sync lease --------------------------------------------
NOT_A_DURATION = N_("{text!r} is not a duration: use a number and a unit, e.g. 15m, 2h, 7d")
NOT_A_TIME = N_("{text!r} is not a time: use {examples}")
UNKNOWN_ZONE = N_(
    "unknown time zone {name!r}: use UTC, local, or an IANA name such as Europe/Paris"
)
SINCE_AND_FROM = N_("--since and --from both set the start: use one of them")
TO_BEFORE_FROM = N_("--to is not after the start of the range: swap them or widen it")
VIEWS_UNREADABLE = N_("cannot read the views file {path}: {error}")
VIEWS_NOT_A_TABLE = N_("{path}: 'views' must be a table of [views.NAME] sections")
VIEWS_NOT_TOML = N_("{path} is not valid TOML: {error}")
VIEWS_TOML_LINE = N_("{path}, line {line}: {error}; fix or remove the file")
VIEW_BROKEN = N_("{path}, view {name!r}: {why}")
VIEW_NOT_A_SECTION = N_("a view is a [views.NAME] section of keys")
VIEW_UNKNOWN_KEY = N_("unknown key {key!r}; known keys: {known}")
VIEW_NOT_TEXT = N_("{key} must be a string")
VIEW_BAD_SCREEN = N_('screen must be "requests" or "postbacks"')
VIEW_BAD_STATUSES = N_('statuses must be a list of strings, e.g. ["failed"]')
VIEW_BAD_ERRORS_ONLY = N_("errors_only must be true or false")
VIEW_SINCE_AND_FROM = N_("give either since or from/to, not both")
VIEWS_NONE_YET = N_("none yet (save one from the command palette)")
VIEW_UNKNOWN = N_("no saved view {name!r} in {path}; known views: {known}")
ANOTHER_PROCESS = N_("another process")

# -- the store and the sync's contract checks ------------------------------------------------
NO_STORE = N_(
    "no store at {path}: check --db, or create one with "
    "'orderdesk sync --once --api-url URL --db {path}'"
)
NO_STORE_FOLDER = N_("no folder {folder} for the store: create it, or choose another --db")
STORE_NO_FOLDER = N_("cannot create the store's folder {folder}: {error}; choose another --db")
STORE_BAD_URL = N_("cannot use the database URL {url!r}: {error}")
STORE_NOT_A_URL = N_("{url!r} is neither a path nor a database URL: {error}")
STAGE_UNKNOWN_FORMAT = N_("a stage is stored in an unknown format ({marker!r}); upgrade orderdesk")
STAGE_NO_DICTIONARY = N_(
    "a stage is packed with dictionary {id}, which the store does not hold; "
    "the store is damaged: sync it again into a new store"
)
SEARCH_UNSUPPORTED = N_(
    "full-text search needs a SQLite or PostgreSQL store, not {dialect}; choose another --db"
)
STORE_CANNOT_OPEN = N_(
    "cannot open the store at {where}: {error}; "
    "check that it is an orderdesk store you may write, or choose another --db"
)
STORE_NEEDS_CREATE = N_("create its schema")
STORE_NEEDS_UPGRADE = N_("upgrade (from v{version}) its schema")
STORE_READ_ONLY = N_(
    "the store at {where} needs orderdesk to {needs}, and this role may only read it: "
    "run any orderdesk command once with the writer's role (the sync service's, e.g. "
    "orderdesk sync --once --db postgresql+psycopg://writer@host/db), then open it again"
)
STORE_FOREIGN = N_(
    "{where} is a database but not an orderdesk store (it has tables {tables}); choose another --db"
)
STORE_NO_VERSION = N_("{where} has no readable schema version; choose another --db")
STORE_TOO_NEW = N_(
    "store at {where} was written by orderdesk schema v{version}; this orderdesk knows "
    "v{known}: upgrade orderdesk (pip install -U orderdesk) or use another --db"
)
STORE_NO_UPGRADE = N_(
    "store at {where} has schema v{version}, which this orderdesk cannot upgrade "
    "(no step from v{step}); use an older orderdesk or another --db"
)
SYNC_STUCK = N_(
    "the log API at {url} answered a page of {kind} that does not move past {at} {id!r}: "
    "the service breaks the keyset contract; report it to its owners"
)

# -- the simulator (orderdesk simulate) --------------------------------------------------------
SIM_GENERATING = N_("Generating {span} of history...")
SIM_SERVING = N_(
    "Serving {requests} requests and {postbacks} postbacks (generated in {seconds:.1f} s) at {url}"
)
SIM_STOP_HINT = N_("Press Ctrl+C to stop.")
SIM_STOPPED = N_("Stopped.")
SIM_BAD_RATE = N_("rate {text!r} is not understood; write it like 30/min, 2/s or 100/h")
FAULT_RATE_RANGE = N_("fault rate {name}={share} must be between 0 and 1")
FAULT_RATES_SUM = N_("fault rates for requests add up to more than 1")
FAULT_LATE_MAX = N_(
    "late_max must be between 0 and {limit:.0f} seconds (the contract's bound), not {value}"
)
FAULT_NEGATIVE = N_("slow_seconds and retry_after must not be negative")
FAULT_NO_VALUE = N_("fault {part!r} has no value; write it as {name}=0.05")
FAULT_UNKNOWN = N_("unknown fault {name!r}; known: {known}")
FAULT_NOT_A_NUMBER = N_("fault {name} wants a number, not {value!r}")

# -- units and short words in lists and stages -----------------------------------------------
AGE_SECONDS = N_("{count} s")
AGE_MINUTES = N_("{count} min")
AGE_HOURS = N_("{count} h")
AGE_DAYS = N_("{count} d")
SPAN_MINUTES = N_("{count:g} min")
SPAN_HOURS = N_("{count:g} h")
SPAN_DAYS = N_("{count:g} d")
SIZE_BYTES = N_("{size:,} B")
SIZE_KB = N_("{size:.1f} KB")
SIZE_MB = N_("{size:.1f} MB")
DURATION_MS = N_("{milliseconds:,} ms")
DURATION_SECONDS = N_("{seconds:.1f} s")
TIMELINE_KIND = {"requests": N_("request"), "postbacks": N_("postback")}
PALETTE_PLACEHOLDER = N_("Search for commands…")
QUIT_HINT = N_("Press [b]{key}[/b] to quit the app")
QUIT_HINT_TITLE = N_("Do you want to quit?")

# -- the command line: tables, help, and click's own words -------------------------------------
LISTING_COLUMNS = {
    "time": N_("TIME"),
    "order reference": N_("ORDER REFERENCE"),
    "customer": N_("CUSTOMER"),
    "printer": N_("PRINTER"),
    "action": N_("ACTION"),
    "status": N_("STATUS"),
    "ms": N_("MS"),
    "error": N_("ERROR"),
    "event": N_("EVENT"),
    "delivery": N_("DELIVERY"),
    "attempts": N_("ATTEMPTS"),
    "last code": N_("LAST CODE"),
}
REPORT_COLUMNS = {
    "time": N_("TIME"),
    "record": N_("RECORD"),
    "what": N_("WHAT"),
    "status": N_("STATUS"),
    "code": N_("CODE"),
    "attempts": N_("ATTEMPTS"),
    "printer order": N_("PRINTER ORDER"),
    "id": N_("ID"),
    "detail": N_("DETAIL"),
}
BAD_CHOICE = N_("{flag} {value!r} is not one of: {allowed}")
NOT_HTTP_URL = N_("it needs http:// or https:// and a host")
CLI_HELP = N_(
    "A terminal console for an order-intake integration's Requests and Postbacks logs.\n\n"
    "With no command, opens the terminal UI on the configured source and store."
)
CLI_DEMO = N_("Try orderdesk on a simulated service: live traffic, a temporary store, the full UI.")
CLI_SIMULATE = N_("Serve the log API with believable traffic, over real HTTP.")
CLI_SYNC = N_("Pull requests and postbacks from the log API into the store; one process at a time.")
CLI_REQUESTS = N_("List request records, newest first.")
CLI_POSTBACKS = N_("List postback records, newest first.")
CLI_ORDER = N_("One order's requests and postbacks, oldest first, and what is missing or wrong.")
OPT_LANG = N_("The language of the console and messages: en or fr [env ORDERDESK_LANG, LANG].")
OPT_DB = N_("The store: a SQLite file or a SQLAlchemy URL [env ORDERDESK_DB].")
OPT_API_KEY = N_("The log API's key, sent as X-API-KEY [env ORDERDESK_API_KEY].")
OPT_API_URL = N_("The log API's base URL [env ORDERDESK_API_URL].")
OPT_ORDER = N_("Open this order's view.")
OPT_SCREEN = N_("The list to open.")
OPT_SINCE_CONSOLE = N_("Open the list over the last AGE: 15m, 1h, 24h, 7d.")
OPT_STATUS = N_("Repeat for several.")
OPT_TZ = N_("Time zone for times shown and typed [default local].")
OPT_VIEW = N_("Open a saved view (views.toml in the config folder).")
OPT_TAKE_OVER = N_("With a source: sync when the store's sync service stops [default on].")
OPT_SEED = N_("Same seed, same traffic.")
OPT_DEMO_HISTORY = N_("How far back the service goes.")
OPT_DEMO_HISTORY_RATE = N_("Orders per unit in the history.")
OPT_DEMO_RATE = N_("Live orders per unit.")
OPT_HOST = N_("Address to listen on.")
OPT_PORT = N_("Port to listen on (0 picks a free one).")
OPT_SIM_HISTORY = N_("How far back to backfill (e.g. 6h, 7d).")
OPT_SIM_HISTORY_RATE = N_("Orders per unit in the backfill.")
OPT_SIM_RATE = N_("Live orders per unit (e.g. 30/min, 2/s).")
OPT_SIM_API_KEY = N_("Require this X-API-KEY (none by default).")
OPT_SIM_READ_KEY = N_(
    "Also accept this X-API-KEY, which may only read: it cannot act (log API 1.1)."
)
OPT_FAULTS = N_("Fault rates for testing clients, e.g. '429=0.05,5xx=0.05,reset=0.02,late=0.1'.")
OPT_ONCE = N_("Pull until caught up, then exit (default).")
OPT_FOLLOW = N_("Keep polling until Ctrl-C.")
OPT_INTERVAL = N_("Seconds between polls with --follow [default 5].")
OPT_WAIT = N_("If another process syncs this store, wait for it to stop instead of exiting.")
OPT_SINCE = N_("Only records created within AGE, e.g. 15m, 2h, 7d.")
OPT_FROM = N_("Start of the range: 2026-11-20 14:00, -2h, today.")
OPT_TO = N_("End of the range (exclusive).")
OPT_CUSTOMER = N_("One customer, by id, name or part of a name.")
OPT_PRINTER = N_("One printer, by id, name or part of a name.")
OPT_ONE_ORDER = N_("One order reference.")
OPT_SEARCH = N_("Full-text search over references, ids and bodies.")
OPT_QUERY = N_(
    "A filter, as typed at the console's / prompt: "
    "'(status:failed OR code:5xx) -customer:acme took:>30s \"gift wrap\"'."
)
OPT_LIMIT = N_(
    "At most N records; 0 for all. By default a table shows a screenful, "
    "and json, jsonl and csv every match."
)
OPT_FORMAT = N_("How to print the records.")
OPT_TZ_TABLE = N_("Time zone for the table and for typed times [default local].")
OPT_ACTION = N_("submit or cancel; repeat for both.")
OPT_EVENT = N_("e.g. shipped; repeat for several.")
OPT_REPORT_FORMAT = N_(
    "A table to read, JSON for scripts, Markdown to paste into a ticket, "
    "or a summary for the customer."
)
OPT_REPORT_TZ = N_("Time zone for the table [default local].")
CLICK_HELP_OPTION = N_("Show this message and exit.")
CLICK_VERSION_OPTION = N_("Show the version and exit.")
# Click's own words, which it translates through the application's catalog.
CLICK_WORDS = (
    N_("Usage:"),
    N_("Options"),
    N_("Commands"),
    N_("%(prog)s, version %(version)s"),
    N_("default: {default}"),
    N_("Missing command."),
    N_("Aborted!"),
    N_("Error: {message}"),
    N_("Try '{command} {option}' for help."),
    N_("Did you mean {possibility}?"),
    N_("Invalid value: {message}"),
    N_("Invalid value for {param_hint}: {message}"),
    N_("Missing argument"),
    N_("Missing option"),
    N_("Missing parameter"),
    N_("Missing {param_type}"),
    N_("No such option {name!r}."),
    N_("No such command {name!r}."),
    N_("Option {name!r} requires an argument."),
    N_("Option {name!r} does not take a value."),
    N_("{value!r} is not a valid {number_type}."),
    N_("{value} is not in the range {range}."),
    N_("integer"),
    N_("float"),
)
# Textual's own words where orderdesk shows them: its palette commands, and the keys
# of its widgets in the help panel (the Requests, Postbacks and record screens).
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Theme"),
    N_("Change the current theme"),
    N_("Quit"),
    N_("Quit the application as soon as possible"),
    N_("Keys"),
    N_("Hide the keys and widget help panel"),
    N_("Show help for the focused widget and a summary of available keys"),
    N_("Minimize"),
    N_("Minimize the widget and restore to normal size"),
    N_("Maximize"),
    N_("Maximize the focused widget"),
    N_("Screenshot"),
    N_("Save an SVG 'screenshot' of the current screen"),
    N_("Search for themes…"),
    N_("Toggle option"),
    N_("Select"),
    N_("Submit"),
    N_("Previous tab"),
    N_("Next tab"),
    N_("Next option"),
    N_("Previous option"),
    N_("Toggle"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Copy selected text"),
    N_("Scroll Up"),
    N_("Scroll Down"),
    N_("Scroll Left"),
    N_("Scroll Right"),
    N_("Scroll Home"),
    N_("Scroll End"),
    N_("Page Up"),
    N_("Page Down"),
    N_("Page Left"),
    N_("Page Right"),
    N_("Cursor up"),
    N_("Cursor down"),
    N_("Cursor left"),
    N_("Cursor right"),
    N_("Cursor line start"),
    N_("Cursor line end"),
    N_("Cursor page up"),
    N_("Cursor page down"),
    N_("Cursor word left"),
    N_("Cursor word right"),
    N_("Cursor left word select"),
    N_("Cursor right word select"),
    N_("Cursor line start select"),
    N_("Cursor line end select"),
    N_("Cursor up select"),
    N_("Cursor down select"),
    N_("Cursor left select"),
    N_("Cursor right select"),
    N_("Select line"),
    N_("Select all"),
    N_("Delete character left"),
    N_("Delete left to start of word"),
    N_("Delete character right"),
    N_("Delete right to start of word"),
    N_("Cut"),
    N_("Copy"),
    N_("Paste"),
    N_("Delete to line start"),
    N_("Delete to line end"),
    N_("Delete line"),
    N_("Undo"),
    N_("Redo"),
    N_("Move cursor left"),
    N_("Move cursor right or accept the completion suggestion"),
    N_("Go to start"),
    N_("Go to end"),
    N_("Move cursor left and select"),
    N_("Move cursor left a word"),
    N_("Move cursor left a word and select"),
    N_("Move cursor right and select"),
    N_("Move cursor right a word"),
    N_("Move cursor right a word and select"),
    N_("Select line start"),
    N_("Select line end"),
    N_("Delete all to the left"),
    N_("Delete all to the right"),
    N_("Cut selected text"),
    N_("Paste text from the clipboard"),
    N_("Up"),
    N_("Down"),
    N_("First"),
    N_("Last"),
    N_("Home"),
    N_("End"),
    N_("Page up"),
    N_("Page down"),
    N_("Top"),
    N_("Bottom"),
    N_("Press button"),
)

# -- orderdesk serve: the console in a browser ---------------------------------------
SERVE_HELP = N_(
    "Serve the console to web browsers: each tab opens its own, as `orderdesk` would, "
    "on loopback unless --public."
)
SERVE_OPT_HOST = N_("Address to listen on; one that is not loopback needs --public.")
SERVE_OPT_PORT = N_("Port to listen on.")
SERVE_OPT_PUBLIC = N_("Allow a --host that is not loopback (put an authenticating proxy in front).")
SERVE_OPT_PUBLIC_URL = N_(
    "The address browsers open, behind a reverse proxy, e.g. https://desk.example.com."
)
SERVE_NEEDS_PUBLIC = N_(
    "--host {host} is not a loopback address, and the console shows customer data: "
    "add --public to listen there anyway, behind an authenticating reverse proxy "
    "(see 'In a browser' in README.md), or leave --host at 127.0.0.1"
)
SERVE_PUBLIC_WARNING = N_(
    "warning: listening on {host}, where other machines can reach it; the console shows "
    "customer data and has no login of its own: put it behind an authenticating reverse proxy"
)
SERVE_BAD_PUBLIC_URL = N_(
    "--public-url {url!r} is not usable: give the address browsers open, "
    "e.g. https://orderdesk.example.com"
)
SERVE_PORT_TAKEN = N_("port {port} on {host} is taken by another program: pick another with --port")
SERVE_CANNOT_LISTEN = N_("cannot listen on {host} port {port} ({why}): check --host")
SERVE_LISTENING = N_("serving the console on {url}: each browser tab opens its own; Ctrl-C stops")
SERVE_STOPPED = N_("stopped; every console it started has ended")
SERVE_WRONG_HOST = N_(
    "this console answers on a loopback address only, not as {host}: "
    "open http://127.0.0.1 with its port, or start it with --public-url"
)
SERVE_WRONG_ORIGIN = N_("refused: the page at {origin} is not this console's own page")
SERVE_PAGE_TITLE = N_("orderdesk")
SERVE_PAGE_START = N_("Start")
SERVE_PAGE_ENDED = N_("Session ended.")
SERVE_PAGE_RESTART = N_("Restart")


# -- the answer to hand on: `orderdesk order REF --format markdown|summary`, the order view's y --
MARKDOWN_TIMELINE = N_("Timeline, oldest first")
MARKDOWN_FINDINGS = N_("Findings ({count})")
MARKDOWN_ACTIONS = N_("Actions ({count})")
KEY_COPY_SUMMARY = P_("key", "Copy summary")
HELP_KEYS["copy_summary"] = N_("Copy a summary of the order for the customer, without any ids")
SUMMARY_COPIED = N_(
    "copied to the clipboard (if your terminal allows it), the summary for the customer: {summary}"
)
SUMMARY_NO_ORDER = N_("no order on screen to sum up: type its reference first")
SUMMARY_SEVERAL_CUSTOMERS = N_(
    "the reference {reference} is used by several customers ({customers}): a summary would "
    "tell one of them about another's order, so none was made"
)
SUMMARY_HEADER_DAY = N_(
    "Here is what happened to your order {reference} on {date} (times in {zone})."
)
SUMMARY_HEADER = N_("Here is what happened to your order {reference} (times in {zone}).")
SUMMARY_RECEIVED = N_("It reached us at {time}.")
SUMMARY_RECEIVED_AGAIN = N_("The same order reference reached us again at {time}.")
SUMMARY_SENT = N_("We sent it to {printer} at {time}.")
SUMMARY_SENDING = N_("We sent it to {printer} at {time}; the printer has not answered yet.")
SUMMARY_SENT_PART = N_("We sent part of it to {printer} at {time}.")
SUMMARY_SENDING_PART = N_(
    "We sent part of it to {printer} at {time}; the printer has not answered yet."
)
SUMMARY_PROCESSING = N_("We are still processing it.")
SUMMARY_TEMPLATE_FAILED = N_(
    "At {time} it could not be sent to a printer: your order template could not process it."
)
SUMMARY_CHECKS_FAILED = N_(
    "At {time} it could not be sent to a printer: its details did not pass our checks."
)
SUMMARY_PRINTER_UNREACHABLE = N_(
    "At {time} it could not be sent to {printer}: the printer could not be reached."
)
SUMMARY_PRINTER_REFUSED = N_("At {time} {printer} refused it.")
SUMMARY_NOT_SENT = N_("At {time} it could not be sent to a printer.")
#: The same failures in an order split between printers: only the part for one printer failed.
SUMMARY_TEMPLATE_FAILED_PART = N_(
    "At {time} part of it could not be sent to a printer: your order template could not process it."
)
SUMMARY_CHECKS_FAILED_PART = N_(
    "At {time} part of it could not be sent to a printer: its details did not pass our checks."
)
SUMMARY_PRINTER_UNREACHABLE_PART = N_(
    "At {time} its part for {printer} could not be sent: the printer could not be reached."
)
SUMMARY_PRINTER_REFUSED_PART = N_("At {time} {printer} refused its part.")
SUMMARY_NOT_SENT_PART = N_("At {time} part of it could not be sent to a printer.")
SUMMARY_NOT_CONFIRMED = N_("{printer} has not yet confirmed that it received it.")
SUMMARY_CANCEL_ACCEPTED = N_(
    "At {time} you asked to cancel it, and {printer} accepted the cancellation."
)
SUMMARY_CANCEL_TOO_LATE = N_(
    "At {time} you asked to cancel it, but {printer} had already printed it "
    "and refused the cancellation."
)
SUMMARY_CANCEL_REFUSED = N_(
    "At {time} you asked to cancel it, but the cancellation did not go through."
)
SUMMARY_CANCEL_PENDING = N_("At {time} you asked to cancel it; the printer has not answered yet.")
#: What each postback event tells the customer.
SUMMARY_EVENTS = {
    "order_received": N_("{printer} confirmed receipt at {time}."),
    "production_update": N_("It was printed at {time}."),
    "shipped": N_("It was shipped at {time}."),
    "in_transit": N_("The carrier reported it in transit at {time}."),
    "delivered": N_("It was delivered at {time}."),
    "returned": N_("It was returned to the sender at {time}."),
    "cancelled": N_("{printer} cancelled it at {time}."),
    "error": N_("{printer} reported a production problem at {time}."),
}
SUMMARY_SHIPPED_TRACKING = N_("It was shipped at {time} with tracking number {tracking}.")
#: The same, for an order split between printers: each names the printer whose part it is.
SUMMARY_PART_EVENTS = {
    "order_received": N_("{printer} confirmed receipt at {time}."),
    "production_update": N_("{printer} printed its part at {time}."),
    "shipped": N_("{printer} shipped its part at {time}."),
    "in_transit": N_("The carrier reported {printer}'s part in transit at {time}."),
    "delivered": N_("{printer}'s part was delivered at {time}."),
    "returned": N_("{printer}'s part was returned to the sender at {time}."),
    "cancelled": N_("{printer} cancelled its part at {time}."),
    "error": N_("{printer} reported a production problem with its part at {time}."),
}
SUMMARY_PART_SHIPPED_TRACKING = N_(
    "{printer} shipped its part at {time} with tracking number {tracking}."
)
SUMMARY_NOT_TOLD = N_("Your system could not be told about this.")
SUMMARY_STILL_TELLING = N_("We are still trying to tell your system about this.")
SUMMARY_NOT_TOLD_YET = N_("Your system has not been told about this yet.")
SUMMARY_ANSWERED_ONCE = N_("It answered HTTP {code}.")
SUMMARY_ANSWERED_TIMES = N_("It answered HTTP {code} {count} times.")
SUMMARY_SILENT_ONCE = N_("It did not answer.")
SUMMARY_SILENT_TIMES = N_("It did not answer any of {count} attempts.")
SUMMARY_LAST_ANSWER = N_("It was tried {count} times; the last answer was HTTP {code}.")
SUMMARY_LAST_SILENT = N_("It was tried {count} times; the last time it did not answer.")
SUMMARY_CUT = N_("This order has more records than were read, so this summary may stop short.")


# -- The filter language: OR, groups and comparisons (issue 14) ------------------------------

FILTER_UNCLOSED = N_("the parenthesis at {at} is never closed: add a ) after the group")
FILTER_UNOPENED = N_(
    "the ) at {at} closes no group: remove it, or open the group with a ( before it"
)
FILTER_EMPTY_GROUP = N_(
    "the parentheses at {at} hold nothing: write terms between them, or remove them"
)
FILTER_NOTHING_BEFORE = N_(
    "{keyword} at {at} has nothing before it: write a term before it, or remove it"
)
FILTER_NOTHING_AFTER = N_("nothing follows {keyword} at {at}: write a term after it, or remove it")
FILTER_BAD_COUNT = N_(
    "attempts '{value}' at {at} is not a count: write e.g. attempts:>3, attempts:<=1 or attempts:0"
)
FILTER_BAD_TOOK = N_(
    "took '{value}' at {at} is not a duration: write e.g. took:>30s, took:<500ms or took:>=2m"
)

# -- problems across all orders: `orderdesk orders --finding`, `orderdesk problems` -----------

CLI_ORDERS = N_("The orders with a finding of one rule open now, newest first.")
CLI_PROBLEMS = N_(
    "What is going wrong now: the open problems, one group per rule, customer, printer "
    "and cause, most orders first."
)
OPT_FINDING = N_("The finding's rule, e.g. not_received, undelivered, request_failed.")
OPT_FINDING_SINCE = N_("Only findings that happened within AGE, e.g. 15m, 2h, 7d.")
OPT_PROBLEMS_SINCE = N_("Only problems that happened within AGE [default 24h].")
OPT_CHECK = N_(
    "For scripts and monitors: exit 1 and print one line per group when problems are open, "
    "exit 0 when none are."
)
OPT_FINDINGS_LIMIT = N_(
    "At most N lines; 0 for all. By default a table shows a screenful, "
    "and json, jsonl and csv everything."
)
FINDING_UNKNOWN = N_("--finding {value!r} is not a rule; the rules are: {allowed}")
FINDINGS_NONE = N_("no order has an open {rule} finding in this time range")
FINDINGS_PENDING = N_(
    "the findings of older records are still being computed by the sync: some orders are "
    "not counted yet"
)
PROBLEMS_NONE = N_("no open problems")
PROBLEMS_CUT = N_("… more groups: --limit N shows N of them, --limit 0 shows them all")
PROBLEMS_CUT_SCRIPT = N_(
    "only the first {shown:,} groups were written; there are more (--limit 0 for all)"
)
PROBLEMS_CHECK_LINE = N_("{severity}: {rule}: {customer} / {printer}: {cause}: orders {orders:,}")
PROBLEM_STATES = {
    "new": N_("new"),
    "ongoing": N_("ongoing"),
    "quiet": N_("quiet"),
}
PROBLEM_SEVERITIES = {
    "problem": N_("problem"),
    "notice": N_("notice"),
}
PROBLEMS_COLUMNS = {
    "orders": N_("ORDERS"),
    "finding": N_("FINDING"),
    "state": N_("STATE"),
    "last seen": N_("LAST SEEN"),
    "customer": N_("CUSTOMER"),
    "time": N_("TIME"),
    "order reference": N_("ORDER REFERENCE"),
    "printer": N_("PRINTER"),
    "cause": N_("CAUSE"),
}


# -- the console's Problems screen and its alerts (issue 14) ----------------------------------

TITLE_PROBLEMS = N_("Problems")
TITLE_PROBLEM_ORDERS = N_("Orders of a problem")
KEY_PROBLEMS = P_("key", "Problems")
KEY_ORDERS = P_("key", "Orders")
#: What the groups of a rule are called on the Problems screen, short enough for a column.
PROBLEM_RULES = {
    "request_failed": N_("request failed"),
    "not_received": N_("not received"),
    "awaiting_receipt": N_("awaiting receipt"),
    "shipped_undelivered": N_("shipping not told"),
    "undelivered": N_("undelivered"),
    "delivery_retrying": N_("delivery retrying"),
    "error_postback": N_("printer error"),
    "cancel_after_printed": N_("late cancel"),
    "duplicate_reference": N_("duplicate order"),
    "no_request": N_("no request"),
}
#: The column heads: each column holds two lines, named by two heads.
PROBLEM_HEADS = {
    "state": N_("STATE"),
    "trend": N_("TREND"),
    "orders": N_("ORDERS"),
    "problem": N_("PROBLEM"),
    "cause": N_("CAUSE"),
    "customer": N_("CUSTOMER"),
    "printer": N_("PRINTER"),
    "last seen": N_("LAST SEEN"),
    "first seen": N_("FIRST SEEN"),
}
PROBLEM_ORDER_HEADS = {
    "time": N_("TIME"),
    "reference": N_("ORDER REFERENCE"),
    "finding": N_("FINDING"),
}
PROBLEM_GROUPS_COUNT = N_("{count:,} groups")
PROBLEM_ORDERS_COUNT = N_("{count:,} orders")
PROBLEM_ORDERS_MORE = N_("{count:,}+ orders")
PROBLEM_NO_PRINTER = N_("no printer")
PROBLEM_NO_CAUSE = N_("no cause told")
PROBLEM_DETAIL = N_(
    "{customer} · {printer} · {orders:,} orders, {findings:,} findings · "
    "first seen {first} · last seen {last}"
)
PROBLEMS_NONE_IN_RANGE = N_("No open problems in this time range ({window}).")
PROBLEMS_PENDING = N_(
    "The sync is still computing the findings of older records: problems may be missing "
    "from this list until it is done."
)
PROBLEM_ORDERS_NONE = N_("None of this problem's orders is open any more.")
ALERT_NEW = N_("New problem: {rule} for {customer} ({printer}): {cause}")
ALERT_JUMPED = N_(
    "Problem growing: {rule} for {customer} ({printer}): {last:,} in the last hour, "
    "{before:,} the hour before"
)
ALERT_TITLE = N_("Problems")
FRESH_PROBLEMS = N_("{count:,} open problems")
FRESH_ONE_PROBLEM = N_("1 open problem")
FRESH_PROBLEMS_PENDING = N_("{count:,}+ open problems (still computing)")

# -- Unattended alerts: `orderdesk watch` (orderdesk.cli.watch, cli.alert_delivery) ---------

CLI_WATCH = N_(
    "Sync (or watch a store another process syncs) and alert a command or a webhook when a "
    "problem group appears, its rate jumps, or it comes back after going quiet; once until it "
    "goes quiet again."
)
OPT_WATCH_EXEC = N_(
    "Run CMD for each alert, the group as JSON on its standard input (split like a shell "
    "would, but no shell runs it)."
)
OPT_WATCH_EXEC_TIMEOUT = N_("Seconds --exec may run before it is killed.")
OPT_WATCH_WEBHOOK = N_(
    "Post each alert to this Slack-style incoming webhook (or set ORDERDESK_WEBHOOK, "
    "which keeps its token out of the process list)."
)
OPT_WATCH_SYNC = N_(
    "Sync the store from the log API while watching (the default), or only watch a store "
    "another process syncs."
)
OPT_WATCH_INTERVAL = N_("Seconds between checks (and between sync passes).")
WATCH_SENTENCE = N_(
    "orderdesk {severity}: {rule} for {customer} at printer {printer}, cause {cause}; "
    "orders {orders:,}, findings {findings:,}; {why}; last seen {last_seen} UTC"
)
WATCH_WHY = {
    "appeared": N_("new"),
    "returned": N_("back after going quiet"),
    "rate_jump": N_("rate jumped"),
}
WATCH_BAD_EXEC = N_("--exec cannot be read as a command: {error}")
WATCH_EXEC_EMPTY = N_("it is empty")
WATCH_EXEC_NOT_FOUND = N_("--exec: no program {command} found; give its path, or a program on PATH")
WATCH_NO_SOURCE = N_(
    "no log API to sync from: pass --api-url URL (and --api-key KEY) or set ORDERDESK_API_URL, "
    "or pass --no-sync to watch a store another process syncs"
)
WATCH_EXEC_CANNOT_START = N_(
    "alert command {command} could not start: {error}; check --exec names a program that exists"
)
WATCH_EXEC_TIMEOUT = N_(
    "alert command {command} was still running after {seconds:g} s and was killed; "
    "make it faster or raise --exec-timeout"
)
WATCH_EXEC_FAILED = N_("alert command {command} failed with exit code {code}: {last}")
WATCH_BAD_WEBHOOK = N_("--webhook {url} is not an http(s) address")
WATCH_WEBHOOK_REDIRECT = N_(
    "webhook {url} answered HTTP {status}, a redirect, which is not followed; "
    "give --webhook the address it points to"
)
WATCH_WEBHOOK_REFUSED = N_("webhook {url} refused the alert: {problem}; check the address")
WATCH_WEBHOOK_RETRY = N_("webhook {url} failed: {problem}; {wait}")
WATCH_WEBHOOK_FAILED = N_(
    "webhook {url} still failing after retries: {problem}; the alert is given up there"
)
WATCH_NOT_DELIVERED = N_("no alert destination took the alert; it is tried again on the next check")
WATCH_STORE_FAILED = N_("the store failed: {error}; trying again on the next check")
WATCH_STORE_READ_ONLY = N_(
    "watch keeps which groups it alerted on in the store, and cannot write to {where} "
    "({error}); give it a store it may write to, or it would alert on every check"
)
WATCH_SYNC_HELD = N_(
    "{holder} is syncing this store: watching what it stores, and taking over the sync if it stops"
)
WATCH_TO_STDOUT = N_("standard output only")
WATCH_STARTED = N_(
    "watching {db} for problems every {interval:g} s; alerts go to {to}; Ctrl-C stops"
)
WATCH_STOPPED = N_(
    "stopped: {sent:,} alerts sent in this run; {open:,} groups have alerted and are not quiet "
    "yet (each alerts again only after going quiet)"
)

# -- actions (log API 1.1): the client's errors ----------------------------------------------

ACTION_UNSUPPORTED = N_(
    "the log API at {url} has no actions (it speaks version {version}): redelivering and "
    "resubmitting need version 1.1"
)
ACTION_READ_ONLY = N_(
    "the key for the log API at {url} may only read: ask for a key that may act to redeliver "
    "or resubmit"
)
ACTION_NO_POSTBACK = N_(
    "the log API at {url} has no postback {id}: check the id (records older than 30 days are "
    "no longer served)"
)
ACTION_NO_REQUEST = N_(
    "the log API at {url} has no request {id}: check the id (records older than 30 days are "
    "no longer served)"
)
ACTION_FORCE_REDELIVER = N_(
    "postback {id} was delivered already: redelivering sends the customer a second notice; "
    "force it to do so anyway"
)
ACTION_FORCE_RESUBMIT = N_(
    "request {id} succeeded already: resubmitting may make the printer produce the order "
    "twice; force it to do so anyway"
)
ACTION_KEY_REUSED = N_(
    "the idempotency key {key} was used for another action: a new action needs a new key"
)
ACTION_INVALID = N_("the log API at {url} refused the action as asked: {error}")
ACTION_OUTCOME_UNKNOWN = N_(
    "the log API at {url} gave no answer to {path} after {attempts} tries ({error}): the "
    "action may or may not have been taken; send it again with the same key {key}"
)
ACTION_ACTOR_LENGTH = N_("the actor must be 1 to {limit} characters long")
ACTION_REASON_LENGTH = N_("the reason must be 1 to {limit} characters long")
ACTION_KEY_LENGTH = N_("an idempotency key must be 1 to {limit} characters long")
ACTION_MODE_NEEDED = N_(
    "a resubmit needs a mode: final (the recorded Final again) or reprocess (the current "
    "template on the Original)"
)
ACTION_MODE_REDELIVER = N_("a redelivery takes no mode")
BRIEF_NO_ACTIONS = N_("no actions")
BRIEF_READ_ONLY = N_("read-only key")
BRIEF_NOT_FOUND = N_("not found")
BRIEF_NEEDS_FORCE = N_("needs force")
BRIEF_KEY_REUSED = N_("key reused")
BRIEF_INVALID_ACTION = N_("invalid action")
BRIEF_OUTCOME_UNKNOWN = N_("outcome unknown")
# -- Retention, `orderdesk prune`, and a full disk (issue 15) ---------------------------------
RETENTION_TOO_SHORT = N_(
    "a retention of {age} would prune records the sync may still be writing: keep at least 1 d"
)
SPACE_SQLITE_SHRINKS = N_("the file shrinks by the space the pruned records took")
SPACE_SQLITE_REUSES = N_(
    "this store was created before orderdesk could shrink its file: the sync reuses the space "
    "pruned records took, but the file keeps its size; --vacuum rewrites it once (it needs as "
    "much free disk as the store takes, and the sync waits meanwhile), and from then on it "
    "shrinks after every prune"
)
SPACE_POSTGRESQL_REUSES = N_(
    "PostgreSQL reuses the space pruned records took for new ones (a plain VACUUM follows the "
    "prune); --vacuum gives it back to the disk with VACUUM FULL, which locks each table, for "
    "readers too, while it rewrites it"
)
STORE_FULL = N_(
    "the store's disk is full ({where}): the sync stopped, and every page it stored is whole; "
    "free some space (orderdesk prune --older-than 90d, or a bigger disk), then sync again: "
    "it goes on from where it stopped"
)
CLI_PRUNE = N_(
    "Take the records last changed longer ago than an age out of the store, with their "
    "findings, and give the space back. Says what would go, and asks first."
)
OPT_OLDER_THAN = N_("Prune the records last changed longer ago than this, e.g. 90d.")
OPT_YES = N_("Prune without asking (for scripts).")
OPT_DRY_RUN = N_("Only say what would be pruned.")
OPT_VACUUM = N_("Then rewrite the store, giving all its free space back (long; the sync waits).")
PRUNE_PLAN = N_("{where}: what was last changed before {cutoff}")
PRUNE_PLAN_RECORDS = N_(
    "  {requests:,} requests and {postbacks:,} postbacks would go, last changed from "
    "{oldest} to {newest}"
)
PRUNE_PLAN_FINDINGS = N_(
    "  {findings:,} findings would go with the orders left with no record; the findings of "
    "orders that keep newer records are computed again"
)
PRUNE_PLAN_TRAIL = N_(
    "  {actions:,} actions of the trail and {journal:,} ended entries of the journal would go, "
    "last changed before the cutoff too; an entry still to send stays"
)
PRUNE_PLAN_SPACE = N_("  the store takes {size}; {note}")
PRUNE_PLAN_COMPACT = N_(
    "  then the store is rewritten to give back all its free space (--vacuum): it needs as "
    "much free disk as the store takes, the sync waits, and it cannot be stopped half way"
)
PRUNE_NOTHING = N_(
    "no record and no ended action was last changed before {cutoff}: nothing to prune"
)
PRUNE_CONFIRM = N_("Prune them?")
PRUNE_DECLINED = N_("nothing was pruned")
PRUNE_NO_TERMINAL = N_(
    "prune asks before it deletes, and there is no terminal to ask on: add --yes to prune "
    "from a script, or --dry-run to see the plan only"
)
PRUNE_LEASE_HELD = N_(
    "{holder} is syncing this store: stop it first, or set ORDERDESK_RETENTION and let the "
    "sync prune as it goes"
)
PRUNE_PROGRESS = N_("pruned {done:,} of {total:,} records")
PRUNE_DONE = N_("pruned {requests:,} requests and {postbacks:,} postbacks in {seconds:.1f} s")
PRUNE_FINDINGS_GONE = N_("the store holds {findings:,} fewer findings")
PRUNE_TRAIL_GONE = N_(
    "pruned {actions:,} actions of the trail and {journal:,} entries of the journal"
)
PRUNE_STOPPED = N_(
    "stopped: {done:,} records were pruned; the other {left:,} last changed before {cutoff} "
    "remain, and the next prune takes them"
)
PRUNE_GIVING_BACK = N_("giving the space back to the disk…")
PRUNE_COMPACTING = N_(
    "rewriting the store to give its free space back; this cannot be stopped half way…"
)
PRUNE_SIZES = N_("the store took {before} and now takes {after}")
BRIEF_STORE_FULL = N_("store disk full")
STORE_OPEN_FULL = N_(
    "cannot open the store at {where}: its disk is full; free a few megabytes on that disk, "
    "then try again (nothing in the store was lost)"
)
PRUNE_DISK_FULL = N_(
    "the store's disk is too full to prune ({where}): a prune writes a little before it frees "
    "anything; free a few megabytes elsewhere, then prune again (what was pruned stays pruned)"
)

# -- acting: the plan and the run (core/acting) -------------------------------------------
ACTING_OVER_CAP = N_(
    "{count} records would be acted on, more than the {cap} allowed at once: narrow the "
    "selection, or raise the cap (--max, or ORDERDESK_MAX_ACTIONS)"
)
ACTING_CANCELLED = N_("cancelled: the sends under way finished, the rest were not sent")

ACTING_HIDDEN_READ_ONLY = N_("actions are hidden: read-only (--read-only or ORDERDESK_READ_ONLY)")
ACTING_NO_SOURCE = N_(
    "no actions: this console has no source of its own (each person acts with their own key: "
    "open orderdesk with --api-url and your key)"
)
ACTING_NOT_ASKED = N_("no actions yet: the source has not said whether this key may act")
ACTING_NO_ACTIONS = N_("no actions: the source speaks log API version {version}, without actions")
ACTING_READ_KEY = N_("no actions: the source says this key may only read")

PRUNE_READ_ONLY = N_(
    "this connection may only read the store ({where}): pruning deletes, so run it as the "
    "store's owner (the role the sync uses)"
)
# -- orderdesk serve: who may act from a browser tab, and how many tabs ------------------
SERVE_OPT_ALLOW_ACTIONS = N_(
    "Let browser tabs redeliver and resubmit, as the person the authenticating proxy "
    "names in --actor-header; without it, every tab only reads."
)
SERVE_OPT_ACTOR_HEADER = N_(
    "The request header in which the authenticating proxy names the person; "
    "a tab whose request lacks it only reads."
)
SERVE_OPT_TRUSTED_PROXY = N_(
    "An address (or network) of the authenticating proxy: --actor-header is believed only "
    "in requests from there. Repeat it for several; this machine unless given."
)
SERVE_OPT_MAX_SESSIONS = N_(
    "The most browser tabs served at once (each runs a console of its own); "
    "one more is told the server is full."
)
SERVE_BAD_ACTOR_HEADER = N_(
    "--actor-header {name!r} is not a header name: give one such as X-Forwarded-User"
)
SERVE_ACTIONS_WARNING = N_(
    "warning: tabs act as whoever the {header} header names in a request from {proxies}: "
    "the proxy there must set it, and remove any the browser sent"
)
SERVE_BAD_PROXY = N_(
    "--trusted-proxy {text!r} is not an address: give one such as 10.0.0.5 or 10.0.0.0/24"
)
SERVE_PAGE_FULL = N_(
    "This server is serving as many tabs as it may. Close another orderdesk tab, "
    "or try again later."
)
SERVE_PAGE_TRY_AGAIN = N_("Try again")
# -- the action trail (log API 1.1): the order timeline, `orderdesk actions`, the Actions screen --

TIMELINE_ACTION = N_("action")
#: An action on the order's timeline, after its time: who did it, and how it went.
TIMELINE_REDELIVERED = N_("redelivered by {actor}: {result}")
TIMELINE_RESUBMITTED = N_("resubmitted ({mode}) by {actor}: {result}")
ACTION_RESULT_FAILED = N_("failed: {error}")
ACTION_HEADS = {
    "when": N_("WHEN"),
    "actor": N_("ACTOR"),
    "kind": N_("KIND"),
    "target": N_("TARGET"),
    "order reference": N_("ORDER REFERENCE"),
    "status": N_("STATUS"),
    "code": N_("CODE"),
}
#: After ``caught up: ...``, when the pass brought actions.
SYNC_TRAIL_DONE = N_("action trail: {new:,} new, {updated:,} updated")
CLI_ACTIONS = N_(
    "List the action trail (redeliveries and resubmits, log API 1.1) the sync stored, newest first."
)
OPT_ACTIONS_SINCE = N_("Only actions taken within AGE, e.g. 15m, 2h, 7d.")
OPT_ACTOR = N_("Only the actions this person asked for (any case).")
OPT_ACTION_KIND = N_("Only redeliveries, or only resubmits.")
OPT_ACTION_STATUS = N_("Only the actions with this status.")
OPT_ACTION_ORDER = N_("Only the actions on this order reference's records.")
OPT_ACTIONS_LIMIT = N_(
    "At most N actions; 0 for all. By default a table shows a screenful, other formats all."
)
ACTIONS_NONE_STORED = N_(
    "no actions in the store: a source that speaks log API 1 has none, "
    "and with 1.1 none were taken yet (or the sync has not read them)"
)
ACTIONS_NONE_MATCH = N_(
    "no action matches; the store holds {count:,} (a longer --since or fewer filters may help)"
)
ACTIONS_MORE_TABLE = N_("… more actions match: --limit N shows N of them, --limit 0 shows them all")
ACTIONS_CUT = N_(
    "only the first {shown:,} matching actions were written; more match (--limit 0 for all)"
)
TITLE_ACTIONS = N_("Actions")
KEY_ACTIONS = P_("key", "Actions")
KEY_OPEN_TARGET = P_("key", "Open target")
KEY_ACTION_FILTER = P_("key", "Filter")
ACTIONS_FILTER_PLACEHOLDER = N_("filter: words, or status:failed actor:alice kind:resubmit")
ACTIONS_SCREEN_NONE = N_(
    "No actions in the store. A source that speaks log API 1 has none; "
    "with 1.1, none were taken yet, or the sync has not read them."
)
ACTIONS_SCREEN_NONE_IN_RANGE = N_("No action was taken in {window}; t chooses another time range.")
ACTIONS_SCREEN_NONE_MATCH = N_("No action matches the filter; / types another.")
ACTIONS_SCREEN_COUNT = N_("shown: {count:,}, newest first")
ACTIONS_SCREEN_CUT = N_("shown: the newest {count:,}")
#: The line under the Actions list: the highlighted action whole.
HELP_KEYS["open_target"] = N_("Open the record the highlighted action acted on")
HELP_KEYS["focus_filter"] = N_("Type a filter: words, or status:, actor:, kind:, order:, customer:")
ACTION_DETAIL = N_("{kind} of {target} by {actor}, order {reference}: {result}\nwhy: {reason}")
# -- acting from the command line: redeliver, resubmit, actions resume (cli/acting) ---------
CLI_REDELIVER = N_(
    "Send postbacks' Final messages to the customer's system again: the postbacks given by id, "
    "or selected as orderdesk postbacks selects them, from the store (sync first). Shows the "
    "plan, asks you to type how many, then sends each once, as you, with your key."
    "\n\n\b\nExit codes:\n"
    "0    every action succeeded\n"
    "1    some failed, were refused, skipped, cancelled or still running\n"
    "2    a usage error, or refused to start: nothing was sent\n"
    "3    some may not have been sent: run orderdesk actions resume\n"
    "130  interrupted (Ctrl-C): the rest were cancelled"
)
CLI_RESUBMIT = N_(
    "Send requests' orders to the printer again: the requests given by id, or selected as "
    "orderdesk requests selects them, from the store (sync first). Shows the plan, asks you "
    "to type how many, then sends each once, as you, with your key."
    "\n\n\b\nExit codes:\n"
    "0    every action succeeded\n"
    "1    some failed, were refused, skipped, cancelled or still running\n"
    "2    a usage error, or refused to start: nothing was sent\n"
    "3    some may not have been sent: run orderdesk actions resume\n"
    "130  interrupted (Ctrl-C): the rest were cancelled"
)
CLI_ACTIONS_RESUME = N_(
    "Finish your redeliveries and resubmits that a crash or a lost connection left unsent: "
    "each is sent again with its own idempotency key, so none goes out twice. "
    "Exit codes as for orderdesk redeliver."
)
OPT_ACT_REASON = N_("Why: the service's trail keeps it with your name.")
OPT_ACT_YES = N_("Send without asking (for scripts).")
OPT_ACT_DRY_RUN = N_("Only show the plan; send nothing.")
OPT_ACT_FORCE = N_(
    "Also act on records that did their job (delivered postbacks, succeeded requests); "
    "without it they are skipped."
)
OPT_ACT_MAX = N_("The most records to act on at once [default ORDERDESK_MAX_ACTIONS, 500].")
OPT_ACT_MODE = N_(
    "final: send the recorded Final request again, byte for byte; reprocess: run the "
    "customer's current template on the recorded Original."
)
ACT_IDS_OR_SELECTION = N_(
    "give record ids or a selection (--query, --since, --status...), not both"
)
ACT_NOTHING_SELECTED = N_(
    "say which records: their ids, or a selection such as --query 'status:failed' --since 1d"
)
ACT_NOT_IN_STORE = N_("the store holds no {kind} with these ids: {ids} (sync first?)")
ACT_NOTHING_MATCHES = N_("no {kind} in the store match: nothing to send")
ACT_READ_ONLY_SETTING = N_(
    "read-only is set (ORDERDESK_READ_ONLY): nothing is sent; unset it to act"
)
ACT_PLAN_REDELIVER = N_("postbacks to redeliver: {count}, as {actor}")
ACT_PLAN_RESUBMIT = N_("requests to resubmit ({mode}): {count}, as {actor}")
ACT_PLAN_REASON = N_("  reason: {reason}")
ACT_PLAN_SKIPPED = N_("  {count} skipped: already {status}, they need --force")
ACT_PLAN_FORCED = N_("  {count} of them already {status}: sent again (--force)")
ACT_PLAN_TIME = N_("  sending takes about {duration} at {pace:g} a second")
ACT_PLAN_IDS = N_("  {ids}")
ACT_AND_MORE = N_("{ids} and {more} more")
ACT_NO_TERMINAL = N_(
    "this command asks before it sends, and there is no terminal to ask on: add --yes to "
    "send from a script, or --dry-run to see the plan only"
)
ACT_CONFIRM = N_("Type {count} to send them (anything else stops)")
ACT_ABORTED = N_("nothing was sent")
ACT_PROGRESS = N_("sent {done} of {total}")
ACT_FOLLOWING = N_("waiting for the accepted actions to end: {count} (up to {seconds} s)…")
ACT_SUM_ALL = N_("every action succeeded: {count}")
ACT_SUM_SUCCEEDED = N_("succeeded: {count}")
ACT_SUM_FAILED = N_("failed: {count}")
ACT_SUM_FAILURE = N_("  {id}: {why}")
ACT_SUM_MORE = N_("  and {more} more")
ACT_SUM_REFUSED = N_("refused by the service, nothing done: {count}")
ACT_SUM_WHY = N_("  {count}: {why}")
ACT_SUM_SKIPPED = N_("skipped, they need --force: {count}")
ACT_SUM_CANCELLED = N_("cancelled, not sent: {count}")
ACT_SUM_RUNNING = N_(
    "still running when the wait ended: {count} ({ids}); the trail shows how they end"
)
ACT_SUM_UNKNOWN = N_(
    "may or may not have been sent: {count}; orderdesk actions resume finishes them"
)
ACT_SUM_HELD = N_("not sent, left for orderdesk actions resume: {count}")
ACT_SUM_STOPPED = N_("stopped: {why}")
RESUME_NOTHING = N_("nothing to resume: {actor} has no action left unsent")
RESUME_PLAN = N_(
    "actions of {actor} left unsent: {count}; sending them again, each with its own key"
)
# -- bulk actions: acting on many records from the console (tui/screens/bulk_action) ------
KEY_ACT_ON_MANY = P_("key", "Act on these")
HELP_KEYS["act_on_many"] = N_(
    "Redeliver or resubmit every record here (or the marked ones), after a plan"
)
BULK_TITLE = {"redeliver": N_("Redeliver postbacks"), "resubmit": N_("Resubmit requests")}
BULK_FROM_LIST = N_("From the list: every record its filter matches ({count:,}), shown or not")
BULK_FROM_MARKED = N_("From the marked records ({count:,})")
BULK_FROM_GROUP = N_("From the problem {group}: its records ({count:,})")
BULK_MARKED_ONLY = N_("Only the marked records ({count:,})")
BULK_PLANNING = N_("counting the records…")
BULK_PLAN = N_("{count:,} to send, in about {seconds:,} s at {pace:g} a second, as {actor}")
BULK_NEEDS_FORCE = N_(
    "{count:,} need force (already delivered or succeeded): skipped unless forced"
)
BULK_FORCE = {
    "redeliver": N_("Force: the {count:,} delivered too (customers are told twice)"),
    "resubmit": N_("Force: the {count:,} succeeded too (printers may print twice)"),
}
BULK_OVER_CAP = N_(
    "{count:,} records would be acted on, more than the {cap:,} allowed at once: nothing can "
    "be sent; narrow the selection, or raise the cap (ORDERDESK_MAX_ACTIONS)"
)
BULK_NOTHING = N_("nothing to send: every record here needs force (tick Force to send them)")
BULK_EMPTY = N_("nothing to send: no record is selected")
BULK_MODE_FINAL = N_("final: the recorded Final request again, byte for byte")
BULK_MODE_REPROCESS = N_("reprocess: the customer's current template on the Original")
BULK_REASON = N_("Reason (required, kept in the service's trail):")
BULK_CONFIRM = N_("Type {count} to confirm, then enter:")
BULK_SEND = N_("Send")
BULK_NO_REASON = N_("nothing sent: type a reason first (it stays in the service's trail)")
BULK_WRONG_COUNT = N_("nothing sent: type {count}, the number of actions, to confirm")
BULK_SENDING = N_(
    "sent {done:,} of {total:,}; escape cancels (the send under way finishes, "
    "the rest are not sent)"
)
BULK_SENT = N_("sent {done:,} of {total:,}")
BULK_CANCELLING = N_("cancelling: the send under way finishes, the rest will not be sent")
BULK_FOLLOWING = N_(
    "waiting for the results: {ended:,} of {accepted:,} ended; escape stops waiting"
)
#: A run's outcome, in one line of these joined by " · ": succeeded and failed
#: always, the others when there are some (all six overflow 80 columns).
BULK_OUTCOME = {
    "succeeded": N_("{count:,} succeeded"),
    "failed": N_("{count:,} failed"),
    "skipped": N_("{count:,} skipped"),
    "cancelled": N_("{count:,} cancelled"),
    "unknown": N_("{count:,} unknown"),
    "held": N_("{count:,} not sent"),
}
BULK_SECTION = {
    "failed": N_("Failed ({count:,})"),
    "unknown": N_("Unknown: maybe sent, to resume ({count:,})"),
    "held": N_("Not sent yet, to resume ({count:,})"),
    "refused": N_("Skipped: refused by the service ({count:,})"),
    "skipped": N_("Skipped: needs force ({count:,})"),
    "sent": N_("Accepted, result not known yet ({count:,})"),
    "cancelled": N_("Cancelled: never sent ({count:,})"),
    "succeeded": N_("Succeeded ({count:,})"),
}
BULK_UNKNOWN_HINT = N_(
    "{count:,} may or may not have been sent: the console's resume or "
    "'orderdesk actions resume' finishes them, with their own keys"
)
BULK_HELD_HINT = N_(
    "{count:,} were not sent: the console's resume or 'orderdesk actions resume' "
    "sends them, each with its own key"
)
BULK_STILL_RUNNING = N_(
    "{count:,} were accepted and had not ended yet: the action trail will tell how they end"
)
BULK_SUMMARY_KEYS = N_("enter opens the record; escape closes")
BULK_BROKE = N_("the action broke: {error}")
BULK_NO_REMEDY = N_("no action remedies this problem ({rule}): act on its records from a list")
# -- acting on one record: the record screen's r, its dialog, the resume offer (issue 16) ------
KEY_REDELIVER = P_("key", "Redeliver")
KEY_RESUBMIT = P_("key", "Resubmit")
KEY_WHY_NO_ACTION = P_("key", "Why no action")
KEY_SEND = P_("key", "Send")
HELP_KEYS["redeliver"] = N_("Send this postback's Final to the customer's system again")
HELP_KEYS["resubmit"] = N_("Send this request to the printer again")
HELP_KEYS["why_no_action"] = N_("Say why this console cannot redeliver or resubmit")
ACT_COMMAND_REDELIVER = N_("Redeliver this postback")
ACT_COMMAND_RESUBMIT = N_("Resubmit this request")
ACT_COMMAND_HELP = N_("send it again, with a reason; a second delivery is asked for twice")
ACT_TITLE_REDELIVER = N_("Redeliver postback {id}")
ACT_TITLE_RESUBMIT = N_("Resubmit request {id}")
ACT_FACTS = N_("order {reference} · now {status} · as {actor}")
ACT_TO_CUSTOMER = N_("to the customer's system: {url}")
ACT_TO_PRINTER = N_("to the printer: {url}")
ACT_NO_FINAL = N_("no Final was recorded: the service has nothing recorded to send")
ACT_MODE_FINAL = N_("final: the recorded Final again")
ACT_MODE_REPROCESS = N_("reprocess: current template")
ACT_BODY_FINAL = N_("what will be sent, byte for byte: the recorded Final")
ACT_REPROCESS_NOTE = N_(
    "the service renders the customer's current template ({template}) on the recorded "
    "Original and sends the result; orderdesk cannot show that result beforehand"
)
ACT_TEMPLATE_KNOWN = N_("{name} v{version}, as the newest stored request of {customer} used")
ACT_TEMPLATE_UNKNOWN = N_("its version is not in the store")
ACT_ORIGINAL = N_("recorded Original")
ACT_FINAL = N_("recorded Final")
ACT_RISK_POSTBACK = N_("already delivered: the customer gets a second notice")
ACT_RISK_REQUEST = N_("already succeeded: the printer may produce the order twice")
ACT_REASON = N_("reason (required, kept in the trail):")
ACT_REASON_PLACEHOLDER = N_("why, e.g. their endpoint is fixed (ticket 4411)")
ACT_CONFIRM_REFERENCE = N_("to send anyway, type the order reference {reference}:")
ACT_KEYS = N_("enter sends · escape closes")
ACT_NEED_REASON = N_("nothing sent: a reason is required (it stays in the service's trail)")
ACT_NEED_CONFIRM = N_("nothing sent: type the order reference {reference} exactly to confirm")
ACT_SENDING = N_("sending…")
ACT_WAITING = N_("accepted, waiting for the result…")
ACT_SUCCEEDED = N_("succeeded: {answer}")
ACT_FAILED = N_("failed: {answer}")
ACT_REFUSED = N_("refused: {why}")
ACT_UNKNOWN = N_(
    "unknown: {why}; `orderdesk actions resume` (or this console's offer at its next start) "
    "finishes it, never twice"
)
ACT_STILL_RUNNING = N_(
    "accepted and still running after {seconds} s: the sync will bring its result to the record"
)
ACT_ANSWER_CODE = N_("HTTP {code}")
ACT_ANSWER_NONE = N_("no answer")
ACT_NEW_RECORD = N_("; the new request is {id}")
ACT_SYNC_BRINGS = N_("the sync brings the new attempt to the record")
ACT_OPEN_NEW = N_("Open the new request")
ACT_CLOSE = N_("Close")
ACT_CLOSING_WHILE_SENDING = N_(
    "still sending: closing does not cancel it; escape again closes, and the result comes as a "
    "notification"
)
ACT_RESULT_LATER = N_("{title}: {result}")
ACT_NO_RECORD = N_("no action: record {id} is not in the store")
RESUME_TITLE = N_("Unfinished actions")
RESUME_BODY = N_(
    "{count} of your actions (as {actor}) were left unfinished, by a crash or a lost "
    "connection. Finishing sends each again with its own key: none goes out twice."
)
RESUME_START = N_("Finish them")
RESUME_LATER = N_("Later")
RESUME_RUNNING = N_("finishing {count} unfinished actions…")
RESUME_SUMMARY = N_(
    "unfinished actions: {succeeded} succeeded, {failed} failed, {refused} refused, "
    "{running} still running, {unknown} still unknown, {held} not sent"
)
OPT_READ_ONLY = N_(
    "Hide every action (redeliver, resubmit) even when the key may act, as ORDERDESK_READ_ONLY=1"
)

# -- serving the sentences in the language in use ------------------------------------------

_ENGLISH = {name: value for name, value in globals().items() if name.isupper()}
for _name in _ENGLISH:
    del globals()[_name]
_served: dict[tuple[str, str], object] = {}


def _translated(value: object) -> object:
    if isinstance(value, InContext):
        return pgettext(value.context, value)
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
