"""Chinese numerals as written in article numbers (第二十九条, 第一百零三条, （十二）)."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
_VALUE = {ch: i for i, ch in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def parse_zh(text: str) -> int | None:
    """The value of a Chinese numeral below 10,000; None if it is not one."""
    if not text:
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _VALUE:
            digit = _VALUE[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def format_zh(n: int) -> str:
    """``29`` -> ``二十九``, ``10`` -> ``十``, ``103`` -> ``一百零三`` (the statute style)."""
    if n < 0 or n >= 10000:
        raise ValueError(f"{n} is out of range for an article number")
    if n < 10:
        return DIGITS[n]
    out: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(("" if unit == 10 and n < 20 else DIGITS[d]) + name)
    return "".join(out)
