"""How a stage's JSON text is packed on an engine that does not compress it itself (SQLite).

A record's stages are small JSON documents that repeat each other: the same
keys, the same customer's addresses, the same printer's answers. Compressed
one at a time, a 700-byte stage keeps about half its size, so only stages from
1 KB up used to be compressed. Compressed with a dictionary made of the store's
own stages of that kind, zlib finds the repeats across records and a stage
keeps about a fifth (measured on simulated traffic: all stages, 0.72 of their
size kept the old way, 0.18 this way).

A stored value is one of:

- text, as it is: short stages, stages of a store without a dictionary yet,
  and every stage on PostgreSQL, which compresses long text itself;
- ``b"z"`` and a zlib stream: from 1 KB up, without a dictionary;
- ``b"d"``, the dictionary's id in two bytes, and a zlib stream made with it.
  A raw deflate stream would save six bytes a stage, but zlib's header names
  the dictionary and its checksum the text, so a wrong dictionary or a
  damaged value is an error, never a wrong record.

A dictionary is made once per kind from the first page that has enough stages
(:func:`train`), stored before any value uses it, and never changed, so a
value always reads back with the dictionary it was packed with. Which
dictionaries a store has is the store's :class:`StageBook`; the column type
finds it through the engine's dialect (:func:`book_of`).
"""

from __future__ import annotations

import random
import threading
import zlib
from collections.abc import Callable, Iterable
from typing import Any
from weakref import WeakKeyDictionary

from orderdesk import strings
from orderdesk.core.errors import StoreError

__all__ = [
    "DICTIONARY_BYTES",
    "PACK_FROM",
    "TRAIN_FROM",
    "StageBook",
    "attach_book",
    "book_of",
    "pack_alone",
    "train",
    "unpack",
    "unpack_start",
]

#: zlib looks back 32 KB: a longer dictionary would not be read.
DICTIONARY_BYTES = 32 * 1024
#: Stages a page needs before a dictionary is made from it: fewer would not show the kind.
TRAIN_FROM = 200
#: Shorter stages are kept as text: the marker and the stream's own bytes would eat the gain.
PACK_FROM = 64
#: Without a dictionary, compressing below this costs more time than it saves space.
_ALONE_FROM = 1_024
#: Level 3 with a dictionary kept 0.16 at 26 µs a stage; level 6, 0.16 at 62 µs; level 1, 0.19.
_LEVEL = 3
_ZLIB = b"z"
_DICTIONARY = b"d"
#: Where a ``d`` value's deflate data starts: the marker, the dictionary's id,
#: zlib's two-byte header and the four-byte checksum of the dictionary it names.
_STREAM = 9
#: The flag in zlib's header that says a dictionary's checksum follows.
_FDICT = 0x20
#: A single stage longer than this adds nothing to a dictionary but its own repeats.
_SAMPLE_BYTES = 4_096


def pack_alone(text: str) -> str | bytes:
    """A stage packed without a dictionary: from 1 KB up, zlib; shorter, the text."""
    if len(text) < _ALONE_FROM:
        return text
    return _ZLIB + zlib.compress(text.encode("utf-8", "surrogatepass"))


def train(stages: Iterable[str], seed: int = 0) -> bytes:
    """A dictionary for stages like these: a shuffled sample of them, up to 32 KB.

    zlib's dictionary is text the stream may point back into, nearest last;
    a sample of whole stages carries the keys, the values that recur and
    their order. Shuffled so that no one kind of stage fills it.
    """
    distinct = list(dict.fromkeys(stage for stage in stages if len(stage) >= PACK_FROM))
    random.Random(seed).shuffle(distinct)
    sample = bytearray()
    for stage in distinct:
        sample += stage.encode("utf-8", "surrogatepass")[:_SAMPLE_BYTES]
        if len(sample) >= DICTIONARY_BYTES:
            break
    return bytes(sample[-DICTIONARY_BYTES:])


def unpack(value: bytes, dictionary_for: Callable[[int], bytes]) -> str:
    """A stored stage's text; ``dictionary_for(id)`` gives the dictionary a ``d`` value names."""
    marker = value[:1]
    if marker == _ZLIB:
        raw = zlib.decompress(value[1:])
    elif marker == _DICTIONARY and len(value) > 3:
        dictionary = dictionary_for(int.from_bytes(value[1:3], "big"))
        inflater = zlib.decompressobj(zdict=dictionary)
        raw = inflater.decompress(value[3:]) + inflater.flush()
    else:
        raise StoreError(strings.STAGE_UNKNOWN_FORMAT.format(marker=marker))
    return raw.decode("utf-8", "surrogatepass")


def unpack_start(value: str | bytes, dictionary_for: Callable[[int], bytes], length: int) -> str:
    """The first ``length`` characters or so of a stored stage's text, unpacking no further.

    For a reader that needs only what a stage starts with (its ``at``): a
    stream stops inflating there, whatever the length of the body after it.
    A character cut in two at the end is dropped.
    """
    if isinstance(value, str):
        return value[:length]
    marker = value[:1]
    if marker == _ZLIB:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(value[1:], length)
    elif marker == _DICTIONARY and len(value) > 3:
        dictionary = dictionary_for(int.from_bytes(value[1:3], "big"))
        inflater = zlib.decompressobj(zdict=dictionary)
        raw = inflater.decompress(value[3:], length)
    else:
        raise StoreError(strings.STAGE_UNKNOWN_FORMAT.format(marker=marker))
    return raw.decode("utf-8", "ignore")


class StageBook:
    """One store's dictionaries: which one packs each kind, and every one that unpacks.

    ``load(id)`` reads a dictionary from the store, for a value packed by
    another process after this one opened the store; ``None`` when there is
    no such dictionary.
    """

    def __init__(self, load: Callable[[int], bytes | None]) -> None:
        self._load = load
        self._dictionaries: dict[int, bytes] = {}
        # A deflater primed with the dictionary, copied for each stage: priming
        # hashes the whole 32 KB, which cost three times the compression itself.
        self._primed: dict[str, tuple[int, Any]] = {}
        # The same for reading: an inflater past a stream's header, by the bytes it read.
        self._inflaters: dict[bytes, Any] = {}
        self._lock = threading.Lock()

    def add(self, dictionary_id: int, kind: str | None, dictionary: bytes) -> None:
        """A dictionary the store holds (committed); with a kind, it packs that kind from now on."""
        with self._lock:
            self._dictionaries[dictionary_id] = dictionary
            if kind is not None:
                deflater = zlib.compressobj(_LEVEL, zdict=dictionary)
                self._primed[kind] = (dictionary_id, deflater)

    def packs(self, kind: str) -> bool:
        """Whether this kind's stages are packed with a dictionary."""
        return kind in self._primed

    def pack(self, kind: str, text: str) -> str | bytes:
        """A stage of ``kind`` as it is stored: with the kind's dictionary when there is one."""
        primed = self._primed.get(kind)
        if primed is None:
            return pack_alone(text)
        if len(text) < PACK_FROM:
            return text
        dictionary_id, deflater = primed
        stream = deflater.copy()
        packed: bytes = stream.compress(text.encode("utf-8", "surrogatepass")) + stream.flush()
        return _DICTIONARY + dictionary_id.to_bytes(2, "big") + packed

    def unpack(self, value: bytes) -> str:
        """A stored stage's text, whichever way it was packed."""
        primed = self._primed_inflater(value)
        if primed is None:
            return unpack(value, self._dictionary)
        raw: bytes = primed.decompress(value[_STREAM:]) + primed.flush()
        return raw.decode("utf-8", "surrogatepass")

    def unpack_start(self, value: str | bytes, length: int) -> str:
        """What a stored stage's text starts with (see :func:`unpack_start`)."""
        primed = self._primed_inflater(value) if isinstance(value, bytes) else None
        if primed is None:
            return unpack_start(value, self._dictionary, length)
        start: bytes = primed.decompress(value[_STREAM:], length)
        return start.decode("utf-8", "ignore")

    def _primed_inflater(self, value: bytes) -> Any:
        """An inflater already past this ``d`` value's zlib header, its dictionary set.

        Setting a dictionary checksums all 32 KB of it: 11 µs a stage, measured,
        against 2 µs to copy an inflater that did it once. None for any other value.
        """
        # zlib's header says a dictionary follows (FDICT), so its 4 bytes name one.
        if value[:1] != _DICTIONARY or len(value) <= _STREAM or not value[4] & _FDICT:
            return None
        # The dictionary's id, zlib's header and the dictionary's checksum, as stored.
        key = value[1:_STREAM]
        primed = self._inflaters.get(key)
        if primed is None:
            dictionary = self._dictionary(int.from_bytes(value[1:3], "big"))
            primed = zlib.decompressobj(zdict=dictionary)
            # zlib checks the dictionary against the checksum here, once for all its values.
            primed.decompress(value[3:_STREAM])
            self._inflaters[key] = primed
        return primed.copy()

    def _dictionary(self, dictionary_id: int) -> bytes:
        found = self._dictionaries.get(dictionary_id)
        if found is None:
            found = self._load(dictionary_id)
            if found is None:
                raise StoreError(strings.STAGE_NO_DICTIONARY.format(id=dictionary_id))
            self.add(dictionary_id, None, found)
        return found


# The column type sees only the dialect; each engine has its own, so it names the store.
_BOOKS: WeakKeyDictionary[object, StageBook] = WeakKeyDictionary()


def attach_book(dialect: object, book: StageBook) -> None:
    """Make ``book`` the one values read and written through ``dialect`` use."""
    _BOOKS[dialect] = book


def book_of(dialect: object) -> StageBook | None:
    """The book of the store ``dialect`` belongs to; None for a bare engine."""
    return _BOOKS.get(dialect)
