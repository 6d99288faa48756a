"""Status marks (passed / failed / take note) drawn as small inline SVG pictures, not emoji.

✅ and ❌ are emoji: a computer without an emoji font (many office PCs, a bare Linux) shows them as
empty boxes. These marks are shapes — a tick, a cross, an exclamation mark in a coloured disc — so they
look the same everywhere, and differ in shape as well as colour (colour-blind safe). Each carries its
meaning in Chinese for screen readers (aria-label); the words next to it say the same for everyone.

    from xinzhi.marks import mark
    f"{mark('ok')} 全部通过"
"""
from __future__ import annotations

import html

__all__ = ["mark", "KINDS"]

#: kind -> (disc colour, what it means, the white shape drawn in a 16×16 box)
KINDS = {
    "ok": ("#009E73", "通过", "<path d='M4.2 8.4l2.6 2.6 5-5.6' fill='none' stroke='#fff' stroke-width='2.2' "
                             "stroke-linecap='round' stroke-linejoin='round'/>"),
    "fail": ("#D55E00", "未通过", "<path d='M5 5l6 6M11 5l-6 6' fill='none' stroke='#fff' stroke-width='2.2' "
                                 "stroke-linecap='round'/>"),
    "warn": ("#E69F00", "注意", "<path d='M8 3.8v5.2' stroke='#fff' stroke-width='2.2' stroke-linecap='round'/>"
                               "<circle cx='8' cy='11.9' r='1.3' fill='#fff'/>"),
    "info": ("#0072B2", "说明", "<circle cx='8' cy='4.4' r='1.3' fill='#fff'/>"
                               "<path d='M8 7.2v5' stroke='#fff' stroke-width='2.2' stroke-linecap='round'/>"),
}


def mark(kind: str, label: str | None = None) -> str:
    """HTML for one mark: ``kind`` is "ok", "fail", "warn" or "info"; ``label`` replaces the spoken meaning."""
    colour, meaning, shape = KINDS[kind]
    said = html.escape(label or meaning, quote=True)
    return (f"<svg class='xinzhi-mark xinzhi-mark-{kind}' role='img' aria-label='{said}' width='1.1em' "
            f"height='1.1em' viewBox='0 0 16 16' style='vertical-align:-0.2em;flex:none'>"
            f"<circle cx='8' cy='8' r='8' fill='{colour}'/>{shape}</svg>")
