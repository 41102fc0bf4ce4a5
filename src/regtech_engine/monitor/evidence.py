"""What an analyst needs on an alert without re-reading the input.

Per transaction: id, time, account, direction, channel, amount, currency, counterparty.
Per rule: the tests of its condition that held, with the feature's value and the threshold
(the parameter's name and the value in force). And one paragraph in Chinese and English.

Built only when an alert fires: the stream pays only for a compact record per transaction
(``Brief``) kept while some evidence window may still name it (loop.py's ledger).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..findings import Text
from ..language import ir
from ..timezone import SHANGHAI
from .records import AlertTransaction, FeatureTest, Tx

# epoch, microsecond, account, direction, channel, amount, currency, counterparty id, name,
# country: references to the Tx's own objects, so a brief costs one tuple
Brief = tuple[int, int, str, str, str, Decimal, str, str | None, str | None, str | None]


def brief(tx: Tx) -> Brief:
    return (
        tx.epoch,
        tx.micro,
        tx.account_id,
        tx.direction,
        tx.channel,
        tx.amount,
        tx.currency,
        tx.counterparty_id,
        tx.counterparty_name,
        tx.counterparty_country,
    )


def _time(epoch: int, micro: int) -> str:
    return dt.datetime.fromtimestamp(epoch, SHANGHAI).replace(microsecond=micro).isoformat()


def transactions(ids: Sequence[str], briefs: Mapping[str, Brief]) -> list[AlertTransaction]:
    """The alert's transactions in its order; an id no longer in the ledger keeps its id."""
    out = []
    for tx_id in ids:
        b = briefs.get(tx_id)
        if b is None:
            out.append(AlertTransaction(tx_id=tx_id))
            continue
        out.append(
            AlertTransaction(
                tx_id=tx_id,
                time=_time(b[0], b[1]),
                account_id=b[2],
                direction=b[3],
                channel=b[4],
                amount=str(b[5]),
                currency=b[6],
                counterparty_id=b[7],
                counterparty_name=b[8],
                counterparty_country=b[9],
            )
        )
    return out


def _value(cmp: ir.Compare, doc: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[Any, Any, str | None]:
    """(the document's value, the operand's value, the parameter's name if one)."""
    operand = cmp.operand
    if isinstance(operand, ir.ParamRef):
        right, name = params.get(operand.name), operand.name
    elif isinstance(operand, ir.Literal_):
        right, name = operand.value, None
    else:  # a field of the same document
        right, name = doc.get(operand.path, 0), None
    return doc.get(cmp.path, 0), right, name  # a feature left out of a document is 0


def _holds(cond: ir.Condition, doc: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    if isinstance(cond, ir.Compare):
        left, right, _ = _value(cond, doc, params)
        try:
            return bool(ir.OPERATORS[cond.op](left, right))
        except TypeError:
            return False
    if isinstance(cond, ir.AllOf):
        return all(_holds(c, doc, params) for c in cond.conditions)
    if isinstance(cond, ir.AnyOf):
        return any(_holds(c, doc, params) for c in cond.conditions)
    if isinstance(cond, ir.Not):
        return not _holds(cond.condition, doc, params)
    return False


def _crossed(
    cond: ir.Condition, doc: Mapping[str, Any], params: Mapping[str, Any]
) -> Iterator[tuple[ir.Compare, Any, Any, str | None]]:
    """The comparisons of the branches that made ``cond`` hold (none under a ``not``)."""
    if isinstance(cond, ir.Compare):
        yield (cond, *_value(cond, doc, params))
    elif isinstance(cond, ir.AllOf | ir.AnyOf):
        for part in cond.conditions:
            if _holds(part, doc, params):
                yield from _crossed(part, doc, params)


def tests_that_held(
    cond: ir.Condition, doc: Mapping[str, Any], params: Mapping[str, Any]
) -> list[FeatureTest]:
    """The tests of numbers and flags by which ``cond`` held on the feature document ``doc``,
    with the parameter and its value in force (a word such as the direction scopes the rule:
    it is no threshold)."""
    if not _holds(cond, doc, params):
        return []
    out: list[FeatureTest] = []
    for cmp, value, threshold, name in _crossed(cond, doc, params):
        if not all(isinstance(v, bool | int | float) for v in (value, threshold)):
            continue
        test = FeatureTest(
            feature=cmp.path, value=value, test=cmp.op.value, threshold=threshold, parameter=name
        )
        if test not in out:
            out.append(test)
    return out


_OP_WORDS = {
    "ge": ("at or above", "达到或超过"),
    "gt": ("above", "超过"),
    "le": ("at or below", "不超过"),
    "lt": ("below", "低于"),
    "eq": ("equal to", "等于"),
    "ne": ("other than", "不等于"),
}
_DIRECTION = {"in": ("received", "收入"), "out": ("paid out", "支出")}
_CUSTOMER = {"individual": ("an individual", "个人"), "entity": ("an entity", "单位")}
_SHOWN_IDS = 10


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _totals(txs: Sequence[AlertTransaction]) -> str:
    sums: dict[str, Decimal] = {}
    for tx in txs:
        if tx.amount is not None and tx.currency is not None:
            sums[tx.currency] = sums.get(tx.currency, Decimal(0)) + Decimal(tx.amount)
    return " + ".join(f"{_money(v)} {k}" for k, v in sorted(sums.items())) or "-"


def _ids(txs: Sequence[AlertTransaction], count: int) -> tuple[str, int]:
    """The first ids, and how many of ``count`` transactions they leave out."""
    shown = txs[:_SHOWN_IDS]
    return ", ".join(tx.tx_id for tx in shown), count - len(shown)


def _tests(tests: Sequence[FeatureTest]) -> tuple[str, str]:
    en, zh = [], []
    for t in tests:
        word_en, word_zh = _OP_WORDS.get(t.test, (t.test, t.test))
        limit = f"{t.parameter} = {t.threshold}" if t.parameter else str(t.threshold)
        en.append(f"{t.feature} = {t.value}, {word_en} {limit}")
        zh.append(f"{t.feature} 为 {t.value}，{word_zh} {limit}")
    return "; ".join(en) or "the rule's condition held", "；".join(zh) or "规则条件成立"


def suspicious_narrative(
    title: Text,
    customer: str,
    account: str | None,
    date: str,
    tests: Sequence[FeatureTest],
    txs: Sequence[AlertTransaction],
) -> Text:
    """One paragraph: the pattern, who, when, which tests crossed which thresholds, and the
    money and transactions behind it."""
    tests_en, tests_zh = _tests(tests)
    times = sorted(tx.time for tx in txs if tx.time)
    span_en = f" between {times[0]} and {times[-1]}" if times else ""
    span_zh = f"{times[0]} 至 {times[-1]} 期间" if times else ""
    shown, more = _ids(txs, len(txs))
    more_en = f" and {more} more" if more else ""
    more_zh = f" 等（另 {more} 笔）" if more else ""
    where_en = f", account {account}" if account else ""
    where_zh = f"，账户 {account}" if account else ""
    total = _totals(txs)
    known = sum(1 for tx in txs if tx.amount is not None)  # records evicted: see the alert's limits
    of_en = f" (the {known} whose records were kept)" if known < len(txs) else ""
    of_zh = f"（记录保留的 {known} 笔）" if known < len(txs) else ""
    return Text(
        en=f"{title.en}. Customer {customer}{where_en}, business date {date}: {tests_en}. "
        f"{len(txs)} transaction(s){span_en}, totalling {total}{of_en}: {shown}{more_en}.",
        zh=f"{title.zh}。客户 {customer}{where_zh}，业务日期 {date}：{tests_zh}。"
        f"{span_zh}共 {len(txs)} 笔交易，合计 {total}{of_zh}：{shown}{more_zh}。",
    )


def large_value_narrative(
    title: Text,
    customer: str,
    customer_type: str,
    date: str,
    direction: str,
    category: str,
    total: str,
    basis: str,
    tests: Sequence[FeatureTest],
    txs: Sequence[AlertTransaction],
    report_due: str | None,
    due_error: str | None,
    count: int | None = None,
) -> Text:
    """One paragraph with what the institution files: who, what, how much, when it is due.
    ``count``: the transactions in the total, when ``txs`` lists only the first ones."""
    count = len(txs) if count is None else count
    tests_en, tests_zh = _tests(tests)
    who_en, who_zh = _CUSTOMER.get(customer_type, (customer_type, customer_type))
    did_en, did_zh = _DIRECTION.get(direction, (direction, direction))
    accounts = ", ".join(sorted({tx.account_id for tx in txs if tx.account_id}))
    shown, more = _ids(txs, count)
    more_en = f" and {more} more" if more else ""
    more_zh = f" 等（另 {more} 笔）" if more else ""
    amount = f"{_money(Decimal(total))} {basis}"
    due_en = f"report due {report_due}" if report_due else f"report due date unknown ({due_error})"
    due_zh = f"应于 {report_due} 前报告" if report_due else f"报告期限未知（{due_error}）"
    return Text(
        en=f"{title.en}. Customer {customer} ({who_en}) {did_en} {amount} in {count} "
        f"{category} transaction(s) on business date {date} through account(s) {accounts} "
        f"({tests_en}): {shown}{more_en}; {due_en}.",
        zh=f"{title.zh}。客户 {customer}（{who_zh}）于业务日期 {date} 经账户 {accounts} "
        f"{did_zh} {category} 交易 {count} 笔，累计 {amount}（{tests_zh}）："
        f"{shown}{more_zh}；{due_zh}。",
    )
