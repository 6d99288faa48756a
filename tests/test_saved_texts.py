"""Every widget that restores what a participant typed gives it back whole: never cut, never cleaned."""
from __future__ import annotations

import matplotlib.pyplot as plt

from xinzhi import workspace
from xinzhi.widgets.lishui import DEFAULT_NAMES, SiteChoice
from xinzhi.widgets.policy import InnovationChain

LONG = ("为什么这样分：本地缺的是成果转化这一环，" * 600)[:10_000]


def test_site_names_come_back_as_typed_while_the_chart_shows_a_short_drawable_form():
    widget = SiteChoice()
    typed = "丽水经济技术开发区（半导体材料）😀", "衢州智造新城", "$x$ 镇", "A\\B"
    for j, name in enumerate(typed):
        widget.controls[f"name{j}"].value = name
    widget.save()
    plt.close(widget.fig)
    again = SiteChoice()
    assert [again.controls[f"name{j}"].value for j in range(len(DEFAULT_NAMES))] == list(typed)
    labels = [text.get_text() for text in again.legend.get_texts()]
    assert labels[0] == "丽水经济技术开发" and all(len(label) <= 8 for label in labels)
    saved = workspace.load(SiteChoice.save_key, per_notebook=True).value
    assert [saved[f"name{j}"] for j in range(len(DEFAULT_NAMES))] == list(typed)
    plt.close(again.fig)


def test_the_reason_and_the_numbers_of_the_innovation_chain_come_back_unchanged():
    widget = InnovationChain()
    for key, share in zip(["source", "develop", "transfer", "industry"], ["33.3333333", "33.3333333", "33.3333334", "0"]):
        widget.controls[key].value = share
    widget.controls["budget"].value = "123456.7"
    widget.controls["reason"].value = LONG
    widget.save()
    widget.controls["reason"].value = ""
    widget.controls["budget"].value = "1"
    widget.restore()
    assert widget.controls["reason"].value == LONG
    assert widget.controls["budget"].value == "123456.7" and widget.controls["source"].value == "33.3333333"
    assert workspace.load(InnovationChain.save_key, per_notebook=True).value["reason"] == LONG
    plt.close(widget.fig)
