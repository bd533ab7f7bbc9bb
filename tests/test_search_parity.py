"""Search answers the same on SQLite and PostgreSQL: one corpus, every query, both stores."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from orderdesk.core.queries import RecordQuery, list_summaries
from orderdesk.core.records import HttpMessage, PostbackRecord
from orderdesk.core.redact import redact_record
from orderdesk.core.rows import row_from_record
from orderdesk.core.search import document, record_document
from orderdesk.core.search_terms import tokens, tsvector_literal
from orderdesk.core.store import Store
from orderdesk.sim import Simulation
from tests.engines import PostgresCluster
from tests.record_factory import T0, failed_request, postback, request

# Words that tokenizers disagree on: joined by punctuation, cased, accented,
# in other scripts, numbers with dots, e-mail addresses, quotes and backslashes.
# Not symbols newer than Unicode 6.1 (such as 🧾), which SQLite takes for letters:
# docs/postgresql.md tells that difference.
VOCABULARY = [
    "ORD-1234", "ord", "1234", "ORD-123", "req_01JD5X", "tshirt-m-black", "T-Shirt",
    "Müller", "MÜLLER", "muller", "naïve", "Crème-brûlée", "ÉCOLE", "façade", "Ærø",
    "Straße", "東京", "Москва", "Ελλάδα", "ça", "x.y@z.example", "1.5", "v2.0.1",
    "it's", "back\\slash", "\"quoted\"", "50%", "#42", "a_b_c", "snake_case", "CamelCase",
    "İstanbul", "ǅemal", "½", "²nd", "x²", "\uf8ffprivate", "tab\there", "🚚truck",
]  # fmt: skip


def _queries() -> Iterator[str]:
    for word in VOCABULARY:
        yield word
        yield word.upper()
        if len(word) > 3:
            yield word[:3] + "*"
    yield "ORD-12*"
    yield "müller 1234"
    yield "tshirt-m-black ORD"
    yield "Crème brûlée"
    yield "ORD-1234 OR NOT 东京"


@pytest.fixture(scope="module")
def stores(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, Store]]:
    """The same sixty records with bodies drawn from the vocabulary, in each engine."""
    chance = random.Random(4)
    records = []
    for number in range(60):
        words = chance.choices(VOCABULARY, k=chance.randint(1, 12))
        body = chance.choice([" ", "\n", ", ", "-"]).join(words)
        original = HttpMessage(at=T0, method="POST", url="https://x.example/", body=body)
        records.append(request(number, original=original, template=None, final=None))
    path = tmp_path_factory.mktemp("parity") / "store.db"
    with (
        postgres_cluster.database() as url,
        Store.open(path) as sqlite,
        Store.open(url) as postgresql,
    ):
        for store in (sqlite, postgresql):
            store.save_page("requests", records, None)
        yield sqlite, postgresql


@pytest.mark.parametrize("text", list(_queries()))
def test_both_engines_find_the_same_records(stores: tuple[Store, Store], text: str) -> None:
    query = RecordQuery("requests", search=tuple(text.split()))
    found = [[row.id for row in list_summaries(store, query, limit=100)] for store in stores]
    assert found[0] == found[1], f"{text!r}: SQLite {found[0]}, PostgreSQL {found[1]}"


class TestTokens:
    def test_punctuation_and_underscores_separate_and_case_folds(self) -> None:
        assert list(tokens("ORD-1234 req_01JD x.y@z")) == [
            "ord",
            "1234",
            "req",
            "01jd",
            "x",
            "y",
            "z",
        ]

    def test_latin_letters_lose_their_diacritics_other_scripts_keep_them(self) -> None:
        assert list(tokens("Crème Ærø Ελλάδα")) == ["creme", "ærø", "ελλάδα"]

    def test_a_word_too_long_for_postgresql_is_left_out_not_an_error(self) -> None:
        assert tsvector_literal(["x" * 3_000 + " ok"]) == "'ok':3"

    def test_positions_stop_at_postgresqls_limit(self) -> None:
        literal = tsvector_literal([" ".join(["pad"] * 20_000) + " end"])
        assert literal.endswith("'end':16383")

    def test_columns_are_apart_so_no_phrase_spans_them(self) -> None:
        assert tsvector_literal(["ORD-1", "2 body"]) == "'ord':2 '1':3 '2':5 'body':6"


def test_a_record_is_indexed_as_its_stored_row_would_be() -> None:
    # The sync indexes from the record, an update unindexes from the stored row:
    # the two must give the same text, or old tokens would stay in the index.
    simulation = Simulation(seed=11, history=timedelta(hours=3), history_rate=2.0, rate=0.0, now=T0)
    records = [*simulation.records("requests"), *simulation.records("postbacks")]
    records += [failed_request(1), postback(2), request(3, template=None, final=None)]
    assert any(isinstance(record, PostbackRecord) and record.tracking for record in records)
    for record in records:
        redacted = redact_record(record)
        assert record_document(redacted) == document(row_from_record(redacted, None)), record.id
