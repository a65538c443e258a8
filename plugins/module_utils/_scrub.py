# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""Ansible's no_log scrubbing, with the same output, in time linear in the text scrubbed however many secrets.

Ansible's ``remove_values`` tries every no_log value on every string of a result (an ``in`` on the list and a
``replace`` per value), and its log of the invocation tries each on the text of every option: a batch of N
destinations has 2 N secrets and N strings, so N x N. Here each text is first searched for the values it holds
(``Finder``, in one pass over it), and Ansible's own code then masks it with only those: ``scrubbed`` gives a
result whose strings are already masked (AepModule then lets Ansible's pass run with no value), ``scrub_text``
masks one long text piece by piece (the log line of a batch's ``destinations`` holds every secret).

Why the output is the same: a value that holds no ``*`` and does not occur in a text can never turn up in it
while Ansible masks the others, since a mask (``********``) only replaces text, so trying it changes nothing.
Values holding ``*`` (a mask may complete one) and the empty value are always tried.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence, Set

from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.text.converters import to_native, to_text

try:  # Ansible's scrubbing of one value (a string, a number, a new empty container): reused as it is
    from ansible.module_utils.common.parameters import _remove_values_conditions
except ImportError:  # pragma: no cover - an ansible-core without it: AepModule keeps Ansible's own, slower path
    _remove_values_conditions = None

FAST = _remove_values_conditions is not None

MASK = "*" * 8  # what remove_values writes in place of a value
SMALL = 8  # with this many values or fewer in a text, Ansible's replace loop over the whole text is cheap
FEW = 32  # with this many no_log values or fewer in all, Ansible's own scrubbing is cheaper than finding them first
GRAM = 8  # strings of 2 * GRAM - 1 characters or more are found from one window in GRAM of the text
CROWD = 2 * GRAM  # a gram shared by more strings than this is no filter: such strings are looked for by length


class Finder:
    """Strings to look for: ``occurrences(text)`` is where each occurs, in time linear in the text however many.

    A string of 2 * GRAM - 1 characters or more is filed under its GRAM-character windows at GRAM consecutive
    offsets: wherever it occurs, one of those windows starts at a multiple of GRAM in the text, so the text is
    read GRAM characters at a time, each window looked up once. Shorter strings, and those whose windows are
    shared by too many others, are looked for per length (every window of that length looked up in a set);
    a length with only a few strings is searched with ``str.find`` (C speed) instead.
    """

    def __init__(self, strings=()):
        self.grams = {}  # window -> [(string, offset of the window in it)]
        self.by_length = {}  # length -> strings looked for window by window
        self.known = set()
        self.update(strings)

    def update(self, strings):
        for string in strings:
            if string not in self.known:
                self.known.add(string)
                if not self._file(string):
                    self.by_length.setdefault(len(string), set()).add(string)

    def _file(self, string):
        last = len(string) - 2 * GRAM + 1  # the windows at offsets first .. first + GRAM - 1 must fit in it
        if last < 0:
            return False
        for first in (last, last // 2, 0):  # the tail first: secrets of a kind share a prefix (a JWT's header)
            keys = [string[offset:offset + GRAM] for offset in range(first, first + GRAM)]
            if all(len(self.grams.get(key, ())) < CROWD for key in keys):
                for offset, key in enumerate(keys, first):
                    self.grams.setdefault(key, []).append((string, offset))
                return True
        return False

    def occurrences(self, text):
        """(start, string) for every occurrence in ``text`` of every string looked for (overlapping ones too)."""
        found = []
        size = len(text)
        for at in range(0, size - GRAM + 1, GRAM):
            for string, offset in self.grams.get(text[at:at + GRAM], ()):
                if at >= offset and text.startswith(string, at - offset):
                    found.append((at - offset, string))
        for length, strings in self.by_length.items():
            if length > size:
                continue
            if len(strings) <= SMALL:
                for string in strings:
                    start = text.find(string)
                    while start >= 0:
                        found.append((start, string))
                        start = text.find(string, start + 1)
            else:
                for start in range(size - length + 1):
                    if text[start:start + length] in strings:
                        found.append((start, text[start:start + length]))
        return found

    def found_in(self, text):
        """The strings that occur in ``text``."""
        return {string for start, string in self.occurrences(text)}


def _text(value):
    """The text remove_values scrubs in ``value`` (its conversions), or None for what it never scrubs."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return to_text(value, errors="surrogate_or_strict")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return to_native(value, encoding="utf-8", errors="surrogate_or_strict")
    return None


def texts(value):
    """Every text remove_values would scrub in ``value``: strings, bytes and numbers, in mappings' values,
    sequences and sets (keys, dates and Ansible's serializable objects are never scrubbed)."""
    todo = [value]
    while todo:
        item = todo.pop()
        text = _text(item)
        if text is not None:
            yield text
        elif isinstance(item, Mapping):
            todo.extend(item.values())
        elif isinstance(item, (Sequence, Set)):
            todo.extend(item)


class NoLogValues:
    """A module's no_log values, in remove_values' order, and its scrubbing done with only the values a text holds."""

    def __init__(self, values, finder=None):
        """``finder``: the Finder of an earlier NoLogValues of the same module, which then files only the values
        added since (a module's values only grow; one that went away is ignored when found)."""
        # remove_values' own order: longest first, ties as the set yields them; a value may come twice (str, bytes)
        self.ordered = sorted([to_native(value, errors="surrogate_or_strict") for value in values], key=len, reverse=True)
        self.places = {}
        for place, value in enumerate(self.ordered):
            self.places.setdefault(value, []).append(place)
        self.always = {value for value in self.places if not value or "*" in value}
        self.finder = finder if finder is not None else Finder()
        self.finder.update(value for value in self.places if value not in self.always)
        self.shortest = min((len(value) for value in self.places if value not in self.always), default=0)
        self.seen = {}  # text -> its values: a result repeats many strings

    def within(self, text):
        """The values to try on ``text``: those it holds, and those always tried, as remove_values orders them."""
        if len(text) < self.shortest and not self.always:  # most strings of a result: too short to hold one
            return []
        values = self.seen.get(text)
        if values is None:
            found = {value for value in self.finder.found_in(text) if value in self.places} | self.always
            values = self.seen[text] = self._ordered(found) if found else []
        return values

    def _ordered(self, found):
        return [self.ordered[place] for place in sorted(place for value in found for place in self.places[value])]

    def holds_any(self, value):
        """Whether remove_values with these values would try any of them on a text of ``value``."""
        return any(self.within(text) for text in texts(value))

    def scrubbed(self, value):
        """``value`` with each string and number that holds a value replaced by what Ansible's remove_values makes of
        it, and the containers above them copied as it copies them; everything else is the same object. Ansible's
        ``remove_values(scrubbed, [])`` is then exactly its ``remove_values(value, values)``.

        Recursive (a RecursionError for a result nested a thousand deep): callers fall back to Ansible's own.
        """
        kind = type(value)
        if kind is str:  # most of a result: the usual types first, isinstance against the ABCs below is slow
            values = self.within(value)
            return _remove_values_conditions(value, values, deque()) if values else value
        if value is None or kind is bool:
            return value
        if kind is dict:
            pairs = list(value.items())
        elif kind is list:
            pairs = list(enumerate(value))
        else:
            text = _text(value)
            if text is not None:
                values = self.within(text)
                return _remove_values_conditions(value, values, deque()) if values else value
            if isinstance(value, (Sequence, Set)):  # in remove_values' order: sequences and sets before mappings
                pairs = list(enumerate(value))
            elif isinstance(value, Mapping):
                pairs = list(value.items())
            else:
                return value  # a date, an object Ansible leaves as it is (or refuses, as it will)
        news = [self.scrubbed(old) for key, old in pairs]
        if all(new is old for new, (key, old) in zip(news, pairs)):
            return value
        copy = _remove_values_conditions(value, [], deque())  # Ansible's own empty copy (list, set or dict; tags)
        if isinstance(copy, MutableMapping):
            copy.update((key, new) for (key, old), new in zip(pairs, news))
        elif isinstance(copy, MutableSequence):
            copy.extend(news)
        else:  # a set
            copy.update(news)
        return copy

    def scrub_text(self, text):
        """Exactly ``remove_values(text, values)`` for one str, also when it holds thousands of the values (the log
        line of a batch's ``destinations``): masked piece by piece, between the runs of overlapping occurrences.

        No occurrence of a value crosses a cut between two pieces, and a mask cannot create one (no value holds
        ``*`` here), so each piece is masked as it would be inside the whole text.
        """
        if self.always or text in self.places:
            return remove_values(text, self.within(text))
        spans = sorted(span for span in self.finder.occurrences(text) if span[1] in self.places)
        found = {value for start, value in spans}
        if len(found) <= SMALL:
            return remove_values(text, self._ordered(found))
        pieces, done = [], 0
        for start, end in runs(spans):
            piece = text[start:end]
            # a piece that is one value is all masked, as inside the text; alone, remove_values would say SPECIFIED
            pieces.extend((text[done:start], MASK if piece in self.places else remove_values(piece, self.within(piece))))
            done = end
        pieces.append(text[done:])
        return "".join(pieces)


def runs(spans):
    """(start, end) of each run of overlapping occurrences, from (start, string) sorted by start."""
    merged = []
    for start, string in spans:
        end = start + len(string)
        if merged and start < merged[-1][1]:  # shares a character with the run: a mask may cross between them
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged
