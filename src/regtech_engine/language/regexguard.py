"""Regular expressions in rules: only patterns that cannot backtrack catastrophically.

Rules are data, and a `matches` pattern is evaluated with Python's backtracking ``re`` (its
``fullmatch``) against values from specs that any team writes. ``(a+)+$`` takes minutes on
thirty characters, and ``.*pay.*`` takes seconds on 50,000. So a pattern is accepted only
if its structure bounds the backtracking to about (value length) x (pattern size):

- no quantifier with a variable count, and no alternation, inside a repeated group
  (``(a+)+``, ``(a|ab)*``, ``(\\d{1,3})+``): exponential;
- two unbounded quantifiers in one sequence whose characters overlap must be separated by
  a required character the first cannot match (``\\d+-\\d+`` is fine, ``.*a.*b`` is not):
  otherwise the cost is a power of the value length. A last one that matches every
  character cannot fail, so ``(?s).*pay.*`` is fine where ``.*pay.*`` is not;
- at most ``MAX_VARIABLE`` quantifiers with a variable count, bounded counts at most
  ``MAX_BOUND``; no backreferences, lookarounds or conditionals.

``problem(pattern)`` says what is wrong, or None. It is conservative: a rejected pattern can
almost always be written in a safe form (a character class instead of an alternation, a
separator, one ``.*`` instead of two).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from re import _constants as _c  # type: ignore[attr-defined]  # Python 3.11+
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any

MAX_PATTERN = 200  # characters
MAX_VARIABLE = 6  # quantifiers with a variable count in one pattern
MAX_BOUND = 100  # largest bounded repeat count ({0,100})
UNBOUNDED = _c.MAXREPEAT

# characters a class is probed with: ASCII and a few others (accents, CJK, digits and spaces
# of other scripts, line separators), enough to tell \d, \s, \w, . and classes apart
_PROBES = [chr(i) for i in range(128)] + list("é中٣\u00a0\u2028\u3000ß")
_CATEGORIES: dict[Any, Callable[[str], bool]] = {}
for _name, _text in (
    ("CATEGORY_DIGIT", r"\d"),
    ("CATEGORY_NOT_DIGIT", r"\D"),
    ("CATEGORY_SPACE", r"\s"),
    ("CATEGORY_NOT_SPACE", r"\S"),
    ("CATEGORY_WORD", r"\w"),
    ("CATEGORY_NOT_WORD", r"\W"),
    ("CATEGORY_LINEBREAK", r"\n"),
    ("CATEGORY_NOT_LINEBREAK", r"[^\n]"),
):
    _CATEGORIES[getattr(_c, _name)] = re.compile(_text).fullmatch  # type: ignore[assignment]

_REPEATS = {
    _c.MAX_REPEAT,
    _c.MIN_REPEAT,
    *([_c.POSSESSIVE_REPEAT] if hasattr(_c, "POSSESSIVE_REPEAT") else []),
}
_FORBIDDEN = {
    _c.GROUPREF: "backreferences",
    _c.GROUPREF_EXISTS: "conditional groups",
    _c.ASSERT: "lookarounds",
    _c.ASSERT_NOT: "lookarounds",
}


class _Unsafe(Exception):
    pass


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is not accepted in a rule, or None when it is."""
    if len(pattern) > MAX_PATTERN:
        return f"a pattern has at most {MAX_PATTERN} characters"
    try:
        compiled = re.compile(pattern)
        parsed = _p.parse(pattern, compiled.flags)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"invalid pattern: {exc}"
    flags = compiled.flags
    try:
        _Checker(bool(flags & re.IGNORECASE), bool(flags & re.DOTALL)).sequence(list(parsed))
    except _Unsafe as exc:
        return (
            f"pattern rejected: {exc} (patterns must not backtrack catastrophically; "
            "see docs/writing-rules.md)"
        )
    return None


class _Checker:
    def __init__(self, ignore_case: bool, dotall: bool) -> None:
        self.ignore_case, self.dotall = ignore_case, dotall
        self.variable = 0

    # -- character sets, as the set of probe characters an item can match -------------
    def chars(self, items: Iterable[tuple[Any, Any]]) -> frozenset[str]:
        """Every probe character any position of ``items`` can match."""
        out: set[str] = set()
        for op, av in items:
            if op in _REPEATS:
                out |= self.chars(av[2])
            elif op == _c.SUBPATTERN:
                out |= self.chars(av[-1])
            elif op == _c.BRANCH:
                for branch in av[1]:
                    out |= self.chars(branch)
            else:
                out |= self.single(op, av)
        return frozenset(out)

    def single(self, op: Any, av: Any) -> frozenset[str]:
        test = self._test(op, av)
        if test is None:
            return frozenset()
        return frozenset(
            c
            for c in _PROBES
            if test(c) or (self.ignore_case and any(test(v) for v in (c.lower(), c.upper()) if len(v) == 1))
        )

    def _test(self, op: Any, av: Any) -> Callable[[str], bool] | None:
        if op == _c.LITERAL:
            return lambda c: ord(c) == av
        if op == _c.NOT_LITERAL:
            return lambda c: ord(c) != av
        if op == _c.ANY:
            return lambda c: self.dotall or c != "\n"
        if op == _c.IN:
            negate = bool(av) and av[0][0] == _c.NEGATE
            parts = [self._member(o, a) for o, a in av if o != _c.NEGATE]
            return lambda c: any(part(c) for part in parts) != negate
        return None  # anchors and the like match no character

    def _member(self, op: Any, av: Any) -> Callable[[str], bool]:
        if op == _c.LITERAL:
            return lambda c: ord(c) == av
        if op == _c.RANGE:
            return lambda c: av[0] <= ord(c) <= av[1]
        if op == _c.CATEGORY:
            fullmatch = _CATEGORIES.get(av)
            return (lambda c: fullmatch(c) is not None) if fullmatch else (lambda c: True)
        return lambda c: True  # anything unforeseen: assume it matches everything

    # -- structure -----------------------------------------------------------------------
    def sequence(self, items: list[tuple[Any, Any]]) -> None:
        flat = self._flatten(items)
        for op, av in flat:
            if op in _FORBIDDEN:
                raise _Unsafe(f"{_FORBIDDEN[op]} are not allowed")
            if op in _REPEATS:
                self._repeat(av)
            elif op == _c.BRANCH:
                for branch in av[1]:
                    self.sequence(list(branch))
        self._overlaps(flat)

    def _flatten(self, items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
        """Plain groups dissolved into the sequence around them."""
        out: list[tuple[Any, Any]] = []
        for op, av in items:
            if op == _c.SUBPATTERN:
                out.extend(self._flatten(list(av[-1])))
            elif op == getattr(_c, "ATOMIC_GROUP", None):
                out.extend(self._flatten(list(av)))
            else:
                out.append((op, av))
        return out

    def _repeat(self, av: Any) -> None:
        low, high, body = av[0], av[1], list(av[2])
        if high != low:
            self.variable += 1
            if self.variable > MAX_VARIABLE:
                raise _Unsafe(f"more than {MAX_VARIABLE} quantifiers with a variable count")
            if high != UNBOUNDED and high > MAX_BOUND:
                raise _Unsafe(f"a bounded repeat above {MAX_BOUND} ({{{low},{high}}})")
        if high > 1:
            self._inside_repeat(body)
        self.sequence(body)

    def _inside_repeat(self, body: list[tuple[Any, Any]]) -> None:
        for op, av in self._flatten(body):
            if op in _REPEATS and av[0] != av[1]:
                raise _Unsafe("a quantifier inside a repeated group (nested quantifiers, e.g. (a+)+)")
            if op in _REPEATS:
                self._inside_repeat(list(av[2]))
            if op == _c.BRANCH:
                branches = av[1]
                singles = [b for b in branches if len(b) == 1 and b[0][0] == _c.LITERAL]
                if len(singles) != len(branches) or len({b[0][1] for b in singles}) != len(singles):
                    raise _Unsafe(
                        "an alternation inside a repeated group (e.g. (a|ab)*); use a character class"
                    )

    def _overlaps(self, flat: list[tuple[Any, Any]]) -> None:
        """Two unbounded repeats that can share characters need a required separator the
        first one cannot cross."""
        for i, (op, av) in enumerate(flat):
            if op not in _REPEATS or av[1] != UNBOUNDED:
                continue
            first = self.chars(av[2])
            for j in range(i + 1, len(flat)):
                op2, av2 = flat[j]
                if self._wall(op2, av2, first):
                    break
                if (
                    op2 in _REPEATS
                    and av2[1] == UNBOUNDED
                    and first & self.chars(av2[2])
                    and not self._free_tail(flat, j)
                ):
                    raise _Unsafe(
                        "two unbounded quantifiers can match the same text with "
                        "nothing between them they cannot both match (e.g. .*a.*)"
                    )
                if op2 == _c.BRANCH and any(
                    o in _REPEATS and a[1] == UNBOUNDED
                    for branch in av2[1]
                    for o, a in self._flatten(list(branch))
                ):
                    raise _Unsafe("an unbounded quantifier before an alternation holding another")

    def _free_tail(self, flat: list[tuple[Any, Any]], j: int) -> bool:
        """A last unbounded repeat that matches every character never fails (``(?s).*``), so
        it adds no backtracking."""
        _op, av = flat[j]
        rest_are_anchors = all(o == _c.AT for o, _ in flat[j + 1 :])
        return rest_are_anchors and self.chars(av[2]) >= frozenset(_PROBES)

    def _wall(self, op: Any, av: Any, first: frozenset[str]) -> bool:
        """Whether this item is required and matches no character of ``first``."""
        if op in _REPEATS:
            return av[0] >= 1 and not (first & self.chars(av[2]))
        if op == _c.BRANCH:
            return False
        chars = self.single(op, av)
        return bool(chars) and not (first & chars) if op != _c.AT else False
