"""统一社会信用代码 (unified social credit code, GB 32100-2015): charset and check character."""

from __future__ import annotations

import numpy as np

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHAR_VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
# Organisation code (GB 11714-1997) body weights.
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def credit_code_check_char(code17: str) -> str:
    """Return the check character of a 统一社会信用代码 given its first 17 characters.

    Parameters
    ----------
    code17
        The first 17 characters, from the charset ``0-9A-HJ-NPQRTUWXY`` (GB 32100-2015).

    Returns
    -------
    str
        The 18th character: with weights ``w_i = 3**i mod 31`` and character values
        ``c_i`` (position in the charset), ``(31 - sum(c_i * w_i) mod 31) mod 31`` mapped
        back through the charset.

    Raises
    ------
    ValueError
        If ``code17`` is not 17 characters of the charset.
    """
    code17 = code17.upper()
    if len(code17) != 17 or any(c not in CHAR_VALUE for c in code17):
        raise ValueError(f"统一社会信用代码前17位无效：{code17!r}")
    total = sum(CHAR_VALUE[c] * int(w) for c, w in zip(code17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    """True when ``code`` is an 18-character 统一社会信用代码 with a correct check character."""
    if not isinstance(code, str) or len(code) != 18:
        return False
    try:
        return credit_code_check_char(code[:17]) == code[17].upper()
    except ValueError:
        return False
