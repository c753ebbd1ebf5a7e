"""Personal-data redaction: find and mask e-mail addresses, phone numbers, Finnish and Swedish personal identity
numbers, IBANs and payment card numbers in free text, and spot the columns of a table that hold contact data.

Each kind is masked with its own tag. What each kind matches, and what is deliberately left alone:

``[email]``
    ``local@domain.tld``: the local part is letters (any script, so ``päivi.mäkelä``), digits and ``. _ + -``
    (so plus-tags) up to 64 characters; the domain is one or more dot-separated labels (subdomains) and a
    top-level domain of two or more letters. Left alone: ``@handle`` (no local part), ``a@b`` (no dot in the
    domain), ``x@1.2.3.4`` (numeric top-level domain).
``[iban]``
    Two letters, two check digits and the account part, compact (``FI2112345600000785``), with one space after
    the check digits, or spaced in groups of four (``FI21 1234 5600 0007 85``, the short last group included);
    either case. Valid only when the ISO 7064 mod-97 check holds and the length is the country's (FI 18, SE 24,
    NO 15, DK 18, DE 22, GB 22, EE 20, FR 27, NL 18, ES 24 and the rest of the SWIFT registry; for a country
    code not in the registry any length 15-34; never ``RF``, the creditor reference, which uses the same check).
    A text of that shape (a registry country and its length) whose check fails is left entirely as it is (none
    of its digits is taken for a phone number or a card).
``[card]``
    13-19 digits, compact or in groups of three or more separated by single spaces or dashes
    (``4111 1111 1111 1111``, ``5555-5555-5555-4444``, ``3782 822463 10005``), passing the Luhn check and
    having a plausible issuer prefix and length (Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Diners,
    Discover, JCB, UnionPay, Maestro, Mir). Not part of a longer word (``SE45 5000 ...``).
``[se-id]``
    Swedish personnummer and samordningsnummer: ``YYMMDD-NNNC``, ``YYMMDD+NNNC``, ``YYMMDDNNNC``,
    ``YYYYMMDD-NNNC``, ``YYYYMMDDNNNC`` (century 18, 19 or 20) with a real date (samordningsnummer: day + 60) and
    the Luhn check over the ten digits ``YYMMDDNNNC``.
``[fi-id]``
    Finnish personal identity code (henkilötunnus) ``DDMMYYCZZZQ``: century sign ``+`` (1800s), ``-YXWVU``
    (1900s) or ``ABCDEF`` (2000s, the 2023 reform), a real date, individual number 002-999 and the check
    character ``DDMMYYZZZ mod 31`` in ``0123456789ABCDEFHJKLMNPRSTUVWXY``; lower case accepted.
``[phone]``
    Numbers that start as phone numbers do: ``+CC`` or ``00CC`` (international, 7-15 digits, an optional
    ``(0)`` or ``(area)``: ``+358 (0)40 123 4567``, ``+1 (555) 123-4567``), ``0`` (national, 8-12 digits:
    ``040 123 4567``, ``0401234567``, ``050-123 4567``, ``09 1234 5678``, ``070-123 45 67``, ``08-123 456 78``)
    or a parenthesised area code (``(09) 123 456``). Groups are separated by single spaces or dashes; after the
    first group each has two or more digits, so a trailing score (``040 123 4567 5 / 5``) stays outside.
    Left alone: anything that does not start that way (amounts, scores, years, order numbers like ``1234567``),
    dates (``01.03.2024``, ``01-03-2024``, ``01/03/2024``), times (``09:30``, ``09.30``, ``0800-1600``),
    decimals, ranges and ratios (a number glued to ``. , : / -`` and a digit on either side), numbers glued to a
    word, a URL path or query, ``#`` or ``+``, amounts (a currency or ``%`` just before or after:
    ``+1 000 000 €``), the rest of a longer number (``12 050 000 000``, ``RF18 5390 0754 7034``, ``1234 0754
    7034``), id-shaped ``DDDDDD-DDDD`` numbers whose check failed, and a number right after an order, case,
    invoice, reference, booking, ticket, contract, parcel or giro word or ``#`` (``tilausnumero 0401234567``,
    ``laskun numero ...``, ``ärendenummer är ...``, ``order #...``).

Detection runs in the order email, iban, card, se-id, fi-id, phone: a span taken by an earlier kind is not
looked at by a later one, so a Luhn-valid card or a valid IBAN is never a phone number, and a ``DDMMYY-ZZZQ``
string valid both as a personnummer and as a henkilötunnus is ``[se-id]``. Checksum-validated kinds do not look
at the words around them (a valid IBAN after "order" is still masked). Masking is repeated until nothing new is
found (a number left alone only because it touched another piece of personal data is looked at again once that
one is a tag), so ``redact(redact(t)) == redact(t)``. Only text that contains ``@`` or at least six digits
(``0-9``) is searched at all; nothing shorter can be personal data of these kinds.

:func:`looks_like_contact_column` and :func:`contact_columns` find columns that are themselves contact data
(e-mail, phone, name, address, personal id) by their header in English, Finnish and Swedish or by their values.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "KINDS",
    "PersonalData",
    "redact",
    "find_personal_data",
    "redact_series",
    "looks_like_contact_column",
    "contact_columns",
]

#: The kinds of personal data, in the order they are detected.
KINDS: tuple[str, ...] = ("email", "iban", "card", "se-id", "fi-id", "phone")

_NEAR_DIGIT = re.compile("[0-9]")
_MAX_ROUNDS = 4  # masking until nothing new is found: one more round is rare, two are not known to happen


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One piece of personal data found in a text: its kind (one of :data:`KINDS`), its span and its text."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def tag(self) -> str:
        """The mask that :func:`redact` puts in its place, e.g. ``[email]``."""
        return f"[{self.kind}]"


# A detector's span: (start, end, kind); kind None reserves the span (an IBAN-shaped text whose check failed):
# it is left as it is and no later kind looks inside it.
_Span = tuple[int, int, "str | None"]

# ---------------------------------------------------------------------------------------------------------------
# Checksums


def _luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) check of a string of ASCII digits, check digit last: payment cards and personnummer."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_ok(iban: str) -> bool:
    """ISO 7064 mod-97 check of a compact upper-case IBAN: the first four characters moved to the end, letters
    as 10-35, the number mod 97 is 1."""
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _hetu_check_char(ddmmyyzzz: str) -> str:
    """The check character of a Finnish personal identity code: the nine digits DDMMYYZZZ mod 31, indexing
    ``0123456789ABCDEFHJKLMNPRSTUVWXY``."""
    return _HETU_CHECK[int(ddmmyyzzz) % 31]


def _date_ok(year: int, month: int, day: int) -> bool:
    """Whether the date exists (for a two-digit year of unknown century pass 2000 + YY: 29 February is then
    allowed when YY is divisible by four, 00 included)."""
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


# ---------------------------------------------------------------------------------------------------------------
# Detectors. Each takes the text (spans of earlier kinds blanked out) and returns its spans in order.

_SP = "[ \u00a0\u2009\u202f]"  # a space: ordinary, no-break, thin, narrow no-break
_SEP = "[ \u00a0\u2009\u202f-]"  # a group separator in numbers: a space or a dash
_SPACE_CHARS = " \u00a0\u2009\u202f"
_GATE = re.compile(r"@|[0-9](?:[^0-9]*[0-9]){5}")  # '@' or at least six digits: the only texts searched

_LOCAL_PUNCT = frozenset("._+-")
_DOMAIN = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}(?!\w)")


def _emails(text: str, pos: int = 0) -> list[_Span]:
    out: list[_Span] = []
    at = text.find("@", pos)
    last_end = 0
    while at >= 0:
        m = _DOMAIN.match(text, at + 1)
        if m:
            i, lo = at, max(last_end, at - 64)
            while i > lo and (text[i - 1].isalnum() or text[i - 1] in _LOCAL_PUNCT):
                i -= 1
            while i < at and text[i] == ".":
                i += 1
            if any(ch.isalnum() for ch in text[i:at]):
                out.append((i, m.end(), "email"))
                last_end = m.end()
                at = text.find("@", last_end)
                continue
        at = text.find("@", at + 1)
    return out


#: IBAN length by country (SWIFT IBAN registry).
_IBAN_LENGTHS: dict[str, int] = {
    "AD": 24,
    "AE": 23,
    "AL": 28,
    "AT": 20,
    "AZ": 28,
    "BA": 20,
    "BE": 16,
    "BG": 22,
    "BH": 22,
    "BI": 27,
    "BR": 29,
    "BY": 28,
    "CH": 21,
    "CR": 22,
    "CY": 28,
    "CZ": 24,
    "DE": 22,
    "DJ": 27,
    "DK": 18,
    "DO": 28,
    "EE": 20,
    "EG": 29,
    "ES": 24,
    "FI": 18,
    "FK": 18,
    "FO": 18,
    "FR": 27,
    "GB": 22,
    "GE": 22,
    "GI": 23,
    "GL": 18,
    "GR": 27,
    "GT": 28,
    "HN": 28,
    "HR": 21,
    "HU": 28,
    "IE": 22,
    "IL": 23,
    "IQ": 23,
    "IS": 26,
    "IT": 27,
    "JO": 30,
    "KW": 30,
    "KZ": 20,
    "LB": 28,
    "LC": 32,
    "LI": 21,
    "LT": 20,
    "LU": 20,
    "LV": 21,
    "LY": 25,
    "MC": 27,
    "MD": 24,
    "ME": 22,
    "MK": 19,
    "MN": 20,
    "MR": 27,
    "MT": 31,
    "MU": 30,
    "NI": 28,
    "NL": 18,
    "NO": 15,
    "OM": 23,
    "PK": 24,
    "PL": 28,
    "PS": 29,
    "PT": 25,
    "QA": 29,
    "RO": 24,
    "RS": 22,
    "RU": 33,
    "SA": 24,
    "SC": 31,
    "SD": 18,
    "SE": 24,
    "SI": 19,
    "SK": 24,
    "SM": 27,
    "SO": 23,
    "ST": 25,
    "SV": 28,
    "TL": 23,
    "TN": 24,
    "TR": 26,
    "UA": 29,
    "VA": 22,
    "VG": 24,
    "XK": 20,
    "YE": 30,
}
_IBAN = re.compile(
    rf"(?<!\w)[A-Za-z]{{2}}[0-9]{{2}}"
    rf"(?:(?:{_SP}[A-Za-z0-9]{{4}}){{2,8}}(?:{_SP}[A-Za-z0-9]{{1,3}})?|{_SP}?[A-Za-z0-9]{{11,30}})(?!\w)"
)


def _iban_at(cand: str) -> tuple[int, bool] | None:
    """(length of the IBAN-shaped prefix of the candidate, whether its check holds), or None."""
    ends = [i + 1 for i, ch in enumerate(cand) if ch not in _SPACE_CHARS]  # end offset of each character
    compact = "".join(ch for ch in cand if ch not in _SPACE_CHARS).upper()
    at_boundary = {e for e in ends if e == len(cand) or cand[e] in _SPACE_CHARS}
    country = compact[:2]
    if country in _IBAN_LENGTHS:
        n = _IBAN_LENGTHS[country]
        if len(compact) < n or ends[n - 1] not in at_boundary:
            return None
        return ends[n - 1], _iban_ok(compact[:n])
    if country == "RF":
        return None
    for n in range(min(len(compact), 34), 14, -1):
        if ends[n - 1] in at_boundary and _iban_ok(compact[:n]):
            return ends[n - 1], True
    return None


def _ibans(text: str, pos: int = 0) -> list[_Span]:
    out: list[_Span] = []
    m = _IBAN.search(text, pos)
    while m:
        hit = _iban_at(m.group())
        if hit:
            end = m.start() + hit[0]
            out.append((m.start(), end, "iban" if hit[1] else None))
            m = _IBAN.search(text, end)
        else:
            m = _IBAN.search(text, m.start() + 1)
    return out


# A run of digit groups, not glued to a word, '+', a decimal or a longer number on the left.
_DIGIT_RUN = re.compile(
    rf"[0-9](?<![\w+][0-9])(?<![0-9][.,:/{_SEP[1:-1]}][0-9])[0-9]*(?:{_SEP}[0-9]+)*(?!\w)(?![.,:/][0-9])"
)
_DIGITS = re.compile(r"[0-9]+")


def _card_ok(d: str) -> bool:
    """Issuer prefix and length plausible for a payment card (the Luhn check is separate)."""
    n, p2, p3, p4 = len(d), int(d[:2]), int(d[:3]), int(d[:4])
    if d[0] == "4":
        return n in (13, 16, 19)  # Visa
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # American Express
    if p2 in (36, 38, 39) or 300 <= p3 <= 305:
        return n >= 14  # Diners Club
    if 3528 <= p4 <= 3589 or p4 == 6011 or p2 in (62, 65) or 644 <= p3 <= 649 or 2200 <= p4 <= 2204:
        return n >= 16  # JCB, Discover, UnionPay, Mir
    return p2 == 50 or 56 <= p2 <= 69  # Maestro


def _cards(text: str, pos: int = 0) -> list[_Span]:
    out: list[_Span] = []
    for run in _DIGIT_RUN.finditer(text, pos):
        groups = [(g.start(), g.end()) for g in _DIGITS.finditer(text, run.start(), run.end())]
        i = 0
        while i < len(groups):
            hit, total = None, 0
            for j in range(i, len(groups)):
                a, b = groups[j]
                total += b - a
                if total > 19 or b - a < 3:
                    break
                if total >= 13:
                    digits = "".join(text[s:e] for s, e in groups[i : j + 1])
                    if _card_ok(digits) and _luhn_ok(digits):
                        hit = j  # the longest valid one from group i
            if hit is None:
                i += 1
            else:
                out.append((groups[i][0], groups[hit][1], "card"))
                i = hit + 1
    return out


_SE_ID = re.compile(r"[0-9](?<!\w[0-9])(?<![0-9][.,:/+-][0-9])[0-9]{5}(?:[0-9]{2})?[-+]?[0-9]{4}(?!\w)(?![.,:/-][0-9])")


def _se_id_ok(m: re.Match) -> bool:
    text = m.group()
    sign = text[-5] if not text[-5].isdigit() else ""
    digits = text.replace(sign, "") if sign else text
    century, (yy, mm, dd, tail) = digits[:-10], (digits[-10:-8], digits[-8:-6], digits[-6:-4], digits[-4:])
    if century and (century not in ("18", "19", "20") or sign == "+"):
        return False
    day = int(dd)
    if day > 60:
        day -= 60  # samordningsnummer
    year = int(century + yy) if century else 2000 + int(yy)
    return _date_ok(year, int(mm), day) and _luhn_ok(yy + mm + dd + tail)


def _se_ids(text: str, pos: int = 0) -> list[_Span]:
    return [(m.start(), m.end(), "se-id") for m in _SE_ID.finditer(text, pos) if _se_id_ok(m)]


_FI_ID = re.compile(
    r"[0-9](?<!\w[0-9])(?<![0-9][.,:/+-][0-9])[0-9]{5}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y](?!\w)(?![.,:/-][0-9])"
)
_CENTURY = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}


def _fi_id_ok(m: re.Match) -> bool:
    text = m.group()
    dd, mm, yy, sign, zzz, check = text[:2], text[2:4], text[4:6], text[6], text[7:10], text[10]
    return (
        int(zzz) >= 2
        and _date_ok(_CENTURY[sign.upper()] + int(yy), int(mm), int(dd))
        and _hetu_check_char(dd + mm + yy + zzz) == check.upper()
    )


def _fi_ids(text: str, pos: int = 0) -> list[_Span]:
    return [(m.start(), m.end(), "fi-id") for m in _FI_ID.finditer(text, pos) if _fi_id_ok(m)]


# The regular expressions start with a character set and check what precedes it after it (in a lookbehind that
# includes it): Python's engine then skips quickly to the places where a match can start.
_PHONE = re.compile(
    rf"[+0(](?<![\w+/=&?#@][+0(])(?<![0-9][.,:/-][+0(])"  # not glued to a word, '+', a URL, '#', '@', a number
    rf"(?P<head>(?P<intl>(?<=\+)[1-9][0-9]*|(?<=0)0[1-9][0-9]*)"  # +CC..., 00CC...
    rf"(?:{_SP}?\((?P<trunk>0)\){_SP}?[0-9]+|{_SP}?\([0-9]{{1,4}}\){_SP}?[0-9]+|{_SEP}[0-9]+)?"
    rf"|(?<=\()0[0-9]{{1,4}}\){_SP}?[0-9]+"  # (09) ...
    rf"|(?<=0)[1-9][0-9]*)"  # 0...
    rf"(?:{_SEP}[0-9]{{2,}}){{0,8}}"
    rf"(?!\w)(?![.,:/][0-9])"
)
_ORDER_WORDS = (
    r"order|tilaus|ärende|arende|case|invoice|lasku|faktura|ref|viite|booking|bokning|varaus|ticket"
    r"|tiketti|reklama|receipt|kuitti|kvitto|tracking|seuranta|sändning|paket|paketti|lähetys|sopimus"
    r"|avtal|contract|bankgiro|plusgiro"
)
_ORDER_HINT = re.compile(rf"#|{_ORDER_WORDS}")  # on lower-cased text: a fast test before the next one
_AFTER_ORDER_WORD = re.compile(
    rf"(?:\b(?:{_ORDER_WORDS})\w*\W{{0,3}}(?:(?:nro|no|nr|num|number|numero|nummer|id|tunnus)\b\W{{0,3}})?"
    rf"(?:(?:is|was|on|oli|är|var)\b\W{{0,3}})?|#\s?)\Z"
)
_CURRENCY_BEFORE = re.compile(r"(?:[€$£¥]|\b(?:eur|euro|sek|nok|dkk|usd|gbp|kr|chf))\.?\s?\Z", re.I)
_CURRENCY_AFTER = re.compile(
    r"\s?(?:[€$£¥%‰]|(?:e|eur|euro\w*|kr|kronor|sek|nok|dkk|usd|gbp|chf|snt|sentti\w*|cent\w*|öre"
    r"|prosent\w*|procent|percent)(?!\w))",
    re.I,
)
_DATE_LIKE = re.compile(rf"([0-9]{{1,2}})({_SEP})([0-9]{{1,2}})\2([0-9]{{2}}|[0-9]{{4}})")
_ID_LIKE = re.compile(r"[0-9]{6}[-+][0-9]{4}")
_TIME_RANGE = re.compile(r"(?:[01][0-9]|2[0-3])[0-5][0-9]-(?:[01][0-9]|2[0-4])[0-5][0-9]")  # 0800-1600


def _amount_around(text: str, start: int, end: int) -> bool:
    """Whether a currency sign or word or a per cent sign is just before or after text[start:end]."""
    return bool(_CURRENCY_AFTER.match(text, end) or _CURRENCY_BEFORE.search(text, max(0, start - 6), start))


def _thousands(groups: list[tuple[int, int]], first_max: int) -> bool:
    """Digit groups as in a thousands-grouped number: the first 1..first_max digits, then groups of three."""
    return len(groups) >= 2 and groups[0][1] - groups[0][0] <= first_max and all(b - a == 3 for a, b in groups[1:])


def _phone_end(text: str, m: re.Match) -> int | None:
    """Where the phone number that the match starts ends (trailing groups past the maximum length dropped), or
    None when it is not one."""
    start, intl = m.start(), m.group("intl") is not None
    double_zero = intl and text[start] == "0"
    head_end = m.end("head")
    groups = [(g.start(), g.end()) for g in _DIGITS.finditer(text, start, m.end())]
    if m.group("trunk"):
        groups = [g for g in groups if g[0] != m.start("trunk")]
    # the digits that count: from the country code on, without the trunk (0); the head is always kept
    counts = [b - a for a, b in groups]
    if double_zero:
        counts[0] -= 2
    lo, hi = (7, 15) if intl else (8, 12)
    k = sum(1 for a, _ in groups if a < head_end)
    total = sum(counts[:k])
    while k < len(groups) and total + counts[k] <= hi:
        total += counts[k]
        k += 1
    if not lo <= total <= hi:
        return None
    used = groups[:k]
    end = used[-1][1]
    span = text[start:end]
    before = text[max(0, start - 40) : start].lower()
    if _ORDER_HINT.search(before) and _AFTER_ORDER_WORD.search(before) or _amount_around(text, start, end):
        return None
    if not intl and (_date_shaped(span) or _ID_LIKE.fullmatch(span) or _TIME_RANGE.fullmatch(span)):
        return None
    if intl and not double_zero and _thousands(used, 2):
        return None  # +1 000 000
    if (not intl or double_zero) and start >= 2 and text[start - 2].isdigit() and text[start - 1] in _SEP_CHARS:
        token = _TOKEN_BEFORE.search(text, max(0, start - 41), start - 1)
        if _thousands(used, 3) or token and _LONG_NUMBER_PART.fullmatch(token.group()):
            return None  # the rest of 12 050 000 000, of RF18 5390 0754 7034, of 1234 5600 0007 85
    return end


def _phones(text: str, pos: int = 0) -> list[_Span]:
    # After a phone number the search goes on in "]" + the rest of the text: what follows is judged by the
    # same context as it will be once the number is a tag ("[phone] 040 ..." is not "4567 040 ...").
    out: list[_Span] = []
    work, shift = text, 0
    while (m := _PHONE.search(work, pos)) is not None:
        end = _phone_end(work, m)
        if end is None:
            pos = m.start() + 1
            continue
        out.append((m.start() + shift, end + shift, "phone"))
        work, shift, pos = "]" + work[end:], shift + end - 1, 1
    return out


_SEP_CHARS = frozenset(" \u00a0\u2009\u202f-")
_TOKEN_BEFORE = re.compile(r"\S+\Z")
_LONG_NUMBER_PART = re.compile(r"[0-9]{4,}|[^\W\d_]+[0-9]+")  # a group of four or more digits, a code like SE46


def _date_shaped(span: str) -> bool:
    """Whether the number is shaped D-M-Y (or M-D-Y) with one separator, a day and a month that exist."""
    m = _DATE_LIKE.fullmatch(span)
    if not m:
        return False
    a, b = int(m.group(1)), int(m.group(3))
    return 1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)


# Cheap necessary conditions, tested once per text, and where the search starts: seven digits with at most two of
# " ()+-" between each two (every card, personnummer, phone number, and henkilötunnus with a sign + or -; a phone
# number may start one character before, "+" or "("), a henkilötunnus with a letter sign, two letters and two
# digits (every IBAN), '@'.
_DENSE_DIGITS = re.compile(r"[0-9](?:(?:[ \u00a0\u2009\u202f()+-]{0,2}[0-9]){6}|[0-9]{5}[A-Za-z][0-9])")
_IBAN_HINT = re.compile(r"[0-9](?<=[A-Za-z]{2}[0-9])[0-9]")  # found at the first digit: the IBAN starts 2 before
_DETECTORS: tuple[tuple[str, Callable[[str, int], list[_Span]]], ...] = (
    ("@", _emails),
    ("iban", _ibans),
    ("digits", _cards),
    ("digits", _se_ids),
    ("digits", _fi_ids),
    ("digits", _phones),
)


def _blank(text: str, spans: list[_Span]) -> str:
    """The text with each span replaced by ``[`` + NULs + ``]`` of the same length: nothing is found inside it
    and its edges look like a tag's to the detectors that come later."""
    parts, pos = [], 0
    for s, e, _ in sorted(spans):
        parts += [text[pos:s], "[", "\x00" * (e - s - 2), "]"]
        pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _scan(text: str) -> list[tuple[int, int, str]]:
    """One round: the spans of all kinds, each detector looking only at what the earlier ones left."""
    if not _GATE.search(text):
        return []
    at, iban, dense = text.find("@"), _IBAN_HINT.search(text), _DENSE_DIGITS.search(text)
    starts = {
        "@": at if at >= 0 else None,
        "iban": iban.start() - 2 if iban else None,
        "digits": max(0, dense.start() - 1) if dense else None,
    }
    found: list[_Span] = []
    for hint, detect in _DETECTORS:
        first = starts[hint]
        if first is None:
            continue
        spans = detect(text, first)
        if spans:
            found += spans
            text = _blank(text, spans)
    return sorted((a, b, kind) for a, b, kind in found if kind is not None)


def _mask(text: str, spans: list[tuple[int, int, str]], kinds: frozenset[str] = frozenset(KINDS)) -> str:
    parts, pos = [], 0
    for s, e, kind in spans:
        if kind in kinds:
            parts += [text[pos:s], f"[{kind}]"]
            pos = e
    parts.append(text[pos:])
    return "".join(parts)


def _find(text: str) -> list[tuple[int, int, str]]:
    """All spans, masking and searching again until nothing new is found."""
    spans = _scan(text)
    for _ in range(_MAX_ROUNDS):
        # Only a number within four characters of a span can be judged differently once the span is a tag (the
        # widest context a detector looks at beside a number: "5 " before 040..., "kr. " before +358..., " e"
        # after).
        if not any(
            _NEAR_DIGIT.search(text, max(0, s - 4), s) or _NEAR_DIGIT.search(text, e, e + 4) for s, e, _ in spans
        ):
            break
        # where each unmasked stretch of the original text lies in the masked text
        masked_starts, orig_starts, parts, pos, mpos = [], [], [], 0, 0
        for s, e, kind in spans:
            masked_starts.append(mpos)
            orig_starts.append(pos)
            parts += [text[pos:s], f"[{kind}]"]
            mpos += s - pos + len(kind) + 2
            pos = e
        masked_starts.append(mpos)
        orig_starts.append(pos)
        parts.append(text[pos:])
        more = _scan("".join(parts))
        if not more:
            break
        new = []
        for s, e, kind in more:
            i = bisect_right(masked_starts, s) - 1
            offset = orig_starts[i] - masked_starts[i]
            limit = (spans[i][0] if i < len(spans) else len(text)) - offset
            if e <= limit:  # inside one unmasked stretch (always so: no detector matches across a tag)
                new.append((s + offset, e + offset, kind))
        if not new:
            break
        spans = sorted(spans + new)
    return spans


def _kinds(kinds: Iterable[str] | None) -> frozenset[str]:
    if kinds is None:
        return frozenset(KINDS)
    wanted = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kind(s) of personal data: {sorted(map(str, unknown))}; known: {list(KINDS)}")
    return wanted


# ---------------------------------------------------------------------------------------------------------------
# Public API


def find_personal_data(text: str, *, kinds: Iterable[str] | None = None) -> list[PersonalData]:
    """The pieces of personal data in a text: the spans that :func:`redact` masks.

    Parameters
    ----------
    text : str
        Any text. Anything else (None, NaN, a number) has no personal data: ``[]``.
    kinds : iterable of str, optional
        Only these kinds (of :data:`KINDS`). Detection still runs for all kinds, so a phone number inside an
        e-mail address is not reported as a phone number when only phones are asked for.

    Returns
    -------
    list of PersonalData
        Non-overlapping, in order of position; ``text[p.start:p.end] == p.text``.

    Raises
    ------
    ValueError
        An unknown kind.
    """
    wanted = _kinds(kinds)
    if not isinstance(text, str):
        return []
    return [PersonalData(kind, s, e, text[s:e]) for s, e, kind in _find(text) if kind in wanted]


def redact(text: str, *, kinds: Iterable[str] | None = None) -> str:
    """Mask personal data in a text, each kind with its tag: ``[email]``, ``[phone]``, ``[fi-id]``, ``[se-id]``,
    ``[iban]``, ``[card]``.

    What each kind matches and what is left alone is described in the module's docstring. Never raises on a
    str; ``redact(redact(t)) == redact(t)``.

    Parameters
    ----------
    text : str
        The text. Anything else (None, NaN, numbers) is returned unchanged.
    kinds : iterable of str, optional
        Mask only these kinds (of :data:`KINDS`); by default all. A single kind may be given as a str.

    Returns
    -------
    str
        The text with each piece of personal data replaced by its tag; the same object when there is none.

    Raises
    ------
    ValueError
        An unknown kind.

    Examples
    --------
    >>> redact("Soita 040 123 4567 tai matti.meikalainen@example.fi, tilaus 0401234567")
    'Soita [phone] tai [email], tilaus 0401234567'
    """
    wanted = _kinds(kinds)
    if not isinstance(text, str):
        return text
    spans = _find(text)
    if not spans:
        return text
    return _mask(text, spans, wanted)


def redact_series(s: pd.Series, *, kinds: Iterable[str] | None = None) -> pd.Series:
    """:func:`redact` over a column of comments, fast where most comments cannot hold personal data.

    Only the strings that contain ``@`` or at least six digits go through the detectors (the same condition
    :func:`redact` checks first, so the result equals ``s.map(redact)``); the test itself is one vectorised
    regular expression (pyarrow's) for pandas' ``str`` dtype and for object columns of str and missing values,
    a compiled-regex loop for object columns holding anything else.

    Measured rate (``PYTHONPATH=src python benchmarks/redact_series.py``: 1,000,000 comments resampled from the
    sample survey, mean 92 characters, 10 % of them with a date, an amount, an order number, an e-mail address,
    a phone number, a personal id or an IBAN appended, so 9.5 % go through the detectors; 2-core AMD EPYC
    machine shared with other jobs, Python 3.11): by CPU time about 450,000 comments/s for ``str`` dtype and
    350,000/s for object dtype (wall clock under that load 190,000-330,000/s); the comments that go through
    the detectors at about 45,000/s. With 2 % appended to (``--share 0.02``), by CPU time about 1.6 million/s
    (``str``) and 0.9 million/s (object).

    Parameters
    ----------
    s : pandas.Series
        Comments. Values that are not str (None, NaN, numbers) are kept as they are.
    kinds : iterable of str, optional
        As in :func:`redact`.

    Returns
    -------
    pandas.Series
        A new series with the same index, name and dtype (a categorical's categories are redacted and merged
        where they become equal).
    """
    wanted = _kinds(kinds)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Index([redact(c, kinds=wanted) for c in s.cat.categories], dtype=object)
        uniq = cats.unique()
        codes = s.cat.codes.to_numpy()
        new_codes = np.where(codes >= 0, uniq.get_indexer(cats)[codes], -1)
        return pd.Series(pd.Categorical.from_codes(new_codes, uniq, ordered=s.cat.ordered), index=s.index, name=s.name)
    if pd.api.types.is_string_dtype(s.dtype) and not pd.api.types.is_object_dtype(s.dtype):
        hit = s.str.contains(_GATE.pattern, regex=True, na=False).to_numpy(dtype=bool)
        idx = np.flatnonzero(hit)
        if not len(idx):
            return s.copy()
        values = s.iloc[idx].to_numpy(dtype=object)
        new = [redact(v, kinds=wanted) for v in values]
        changed = [k for k, (v, n) in enumerate(zip(values, new)) if n is not v]
        out = s.copy()
        if changed:
            out.iloc[idx[changed]] = [new[k] for k in changed]
        return out
    if not pd.api.types.is_object_dtype(s.dtype):
        return s.copy()  # numbers, dates, booleans: no text
    values = s.to_numpy(dtype=object, copy=True)
    hit = _gate_strings(values)
    if hit is None:  # values other than str and missing ones
        gate = _GATE.search
        hit = [isinstance(v, str) and gate(v) is not None for v in values]
    for i in np.flatnonzero(hit):
        values[i] = redact(values[i], kinds=wanted)
    return pd.Series(values, index=s.index, name=s.name, dtype=object)


def _gate_strings(values: np.ndarray) -> np.ndarray | None:
    """The gate over an object array of str and missing values, vectorised (pyarrow's regular expressions), or
    None when the array holds anything else (or a str that is not valid Unicode)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    return pc.match_substring_regex(arr, _GATE.pattern).fill_null(False).to_numpy(zero_copy_only=False)


# ---------------------------------------------------------------------------------------------------------------
# Contact columns


def _compounds(bases: Iterable[str], suffixes: Iterable[str]) -> set[str]:
    return {b + s for b in bases for s in suffixes}


_NUMBER = ("", "number", "no", "nr", "nro", "numero", "nummer", "num")
# Header keys: a header's words with accents, qualifier words and digits removed, run together ("E-mail
# address" -> "emailaddress", "Asiakkaan puhelinnumero" -> "puhelinnumero"). The header must be exactly a key:
# "Agent name" or "Käsittelijän nimi" (the staff's) is not "name".
_HEADER_KEYS: dict[str, set[str]] = {
    "email": _compounds(
        ("email", "mail", "sahkoposti", "sposti", "epost", "mejl", "meili"),
        ("", "address", "osoite", "adress", "adr", "osoitteesi", "si"),
    ),
    "phone": _compounds(
        (
            "phone",
            "telephone",
            "tel",
            "mobile",
            "mobilephone",
            "cellphone",
            "gsm",
            "puhelin",
            "puh",
            "matkapuhelin",
            "mobiili",
            "kannykka",
            "telefon",
            "tfn",
            "mobil",
            "mobiltelefon",
        ),
        _NUMBER,
    )
    | {"cellnumber", "puhelinnumerosi"},
    "personal id": {
        "hetu",
        "henkilotunnus",
        "henkilotunnuksesi",
        "sotu",
        "sosiaaliturvatunnus",
        "personbeteckning",
        "personnummer",
        "personnr",
        "samordningsnummer",
        "ssn",
        "socialsecuritynumber",
        "personalid",
        "personalidentitycode",
        "personalidentitynumber",
        "personalidentificationnumber",
        "personalnumber",
        "nationalid",
        "nationalidnumber",
        "nationalidentitynumber",
    },
    "name": {
        "name",
        "fullname",
        "firstname",
        "lastname",
        "surname",
        "givenname",
        "familyname",
        "forename",
        "firstandlastname",
        "namesurname",
        "firstnamelastname",
        "person",
        "contactperson",
        "nimi",
        "nimesi",
        "etunimi",
        "etunimesi",
        "sukunimi",
        "sukunimesi",
        "kokonimi",
        "etujasukunimi",
        "etunimisukunimi",
        "asiakasnimi",
        "yhteyshenkilo",
        "namn",
        "fornamn",
        "efternamn",
        "fullstandigtnamn",
        "forochefternamn",
        "fornamnefternamn",
        "kundnamn",
        "kontaktperson",
        "tilltalsnamn",
    },
    "address": {
        "address",
        "street",
        "streetaddress",
        "postaladdress",
        "postaddress",
        "mailingaddress",
        "billingaddress",
        "deliveryaddress",
        "osoite",
        "osoitteesi",
        "katuosoite",
        "postiosoite",
        "lahiosoite",
        "kotiosoite",
        "laskutusosoite",
        "toimitusosoite",
        "katu",
        "adress",
        "gatuadress",
        "postadress",
        "hemadress",
        "leveransadress",
        "fakturaadress",
        "faktureringsadress",
        "gata",
    },
}
# Words that say whose (the customer's) or that the field is optional: dropped from a header before the look-up.
_QUALIFIERS = frozenset(
    {
        "customer",
        "customers",
        "client",
        "clients",
        "respondent",
        "respondents",
        "contact",
        "your",
        "the",
        "of",
        "optional",
        "primary",
        "private",
        "home",
        "asiakas",
        "asiakkaan",
        "vastaaja",
        "vastaajan",
        "yhteys",
        "sinun",
        "vapaaehtoinen",
        "valinnainen",
        "ensisijainen",
        "koti",
        "kund",
        "kunden",
        "kundens",
        "kontakt",
        "din",
        "ditt",
        "er",
        "ert",
        "frivillig",
        "frivilligt",
        "hem",
    }
)
_VALUE_KIND = {"email": "email", "phone": "phone", "fi-id": "personal id", "se-id": "personal id"}


def _header_key(name: str) -> str:
    s = re.sub(r"(?<=[a-zåäöü0-9])(?=[A-ZÅÄÖÜ])", " ", name)  # CustomerEmail -> Customer Email
    s = "".join(ch for ch in unicodedata.normalize("NFKD", s.lower()) if not unicodedata.combining(ch))
    s = re.sub(r"\b([es])[-‐ ](?=(?:mail|post))", r"\1", s)  # e-mail, e-post, s-posti
    words = [w for w in re.findall(r"[^\W\d_]+", s) if w not in _QUALIFIERS]
    return "".join(words)


def _header_kind(name: str) -> str | None:
    key = _header_key(name)
    for kind, keys in _HEADER_KEYS.items():
        if key in keys:
            return kind
    return None


def looks_like_contact_column(name: str, values: pd.Series) -> str | None:
    """The kind of contact data a column holds, by its header or by its values, or None.

    Parameters
    ----------
    name : str
        The column's header. English, Finnish and Swedish; case, accents, separators, camelCase, digits and
        words such as "customer", "asiakkaan", "kundens", "your", "optional" do not matter ("Asiakkaan
        sähköposti", "E-postadress", "customer_phone_number", "Förnamn"). The header must be a contact field and
        nothing else: "agent", "Käsittelijä", "handläggare", "Agent name", "Product name" are not contact data.
    values : pandas.Series
        The column. Up to the first 1,000 non-empty values are looked at when the header says nothing: when at
        least half of them are each exactly one e-mail address, phone number or personal id, the most common of
        these kinds is returned (phone numbers are not counted when the header names an order, case, invoice or
        reference number).

    Returns
    -------
    str or None
        ``'email'``, ``'phone'``, ``'name'``, ``'address'`` or ``'personal id'``.
    """
    name = str(name)
    kind = _header_kind(name)
    if kind:
        return kind
    if not isinstance(values, pd.Series):
        values = pd.Series(values, dtype=object)
    sample: list[str] = []
    for v in values.dropna():
        if isinstance(v, (bool, np.bool_)):
            continue
        v = str(v).strip()
        if v:
            sample.append(v)
            if len(sample) == 1000:
                break
    if not sample:
        return None
    order_header = bool(re.search(rf"\b(?:{_ORDER_WORDS})", name, re.I))
    counts: Counter[str] = Counter()
    for v in sample:
        spans = _find(v)
        if len(spans) == 1 and spans[0][:2] == (0, len(v)) and spans[0][2] in _VALUE_KIND:
            if not (order_header and spans[0][2] == "phone"):
                counts[_VALUE_KIND[spans[0][2]]] += 1
    if 2 * sum(counts.values()) < len(sample):
        return None
    return max(("email", "phone", "personal id"), key=lambda k: counts[k])


def contact_columns(df: pd.DataFrame, skip: Iterable[str] = ()) -> dict[str, str]:
    """The columns of a frame that hold contact data, and their kinds (see :func:`looks_like_contact_column`).

    Parameters
    ----------
    df : pandas.DataFrame
        The table.
    skip : iterable of str
        Columns not to look at (e.g. the comment column).

    Returns
    -------
    dict
        Column name -> ``'email'``, ``'phone'``, ``'name'``, ``'address'`` or ``'personal id'``, in the frame's
        column order.
    """
    skip = set(skip)
    out: dict[str, str] = {}
    for i, col in enumerate(df.columns):
        if col in skip:
            continue
        kind = looks_like_contact_column(col, df.iloc[:, i])
        if kind:
            out[col] = kind
    return out
