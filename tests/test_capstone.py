"""Notebook 08: the participant's formula (model), the take-home page, saving and restoring."""
from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import pytest

from xinzhi import capstone_report as report
from xinzhi import charts, formats
from xinzhi import workspace
from xinzhi.models.capstone import Formula, outcome
from xinzhi.widgets.capstone import SAVE_NAME, TEXT_LIMIT, TEXT_ONLY, MyFormula, restore


# --- the model -----------------------------------------------------------------------------------

def test_worked_example_of_the_notebook():
    result = outcome(Formula(base=100, carrier_pct=30, tech_pct=50, fusion_pct=60, years=5))
    assert result.additive == pytest.approx(160)
    assert result.multiplicative == pytest.approx(169)
    assert result.cross_step == pytest.approx(9)
    assert result.effective_multiplier == pytest.approx(1.3)
    assert result.annual_pct == pytest.approx((1.69 ** 0.2 - 1) * 100)
    assert result.gain_pct == pytest.approx(69)


def test_the_steps_add_up_to_both_results():
    result = outcome(Formula(base=250, carrier_pct=-20, tech_pct=80, fusion_pct=35, years=7))
    assert result.today + result.carrier_step + result.tech_step == pytest.approx(result.additive)
    assert result.additive + result.cross_step == pytest.approx(result.multiplicative)


def test_no_fusion_means_the_multiplier_never_gets_in():
    result = outcome(Formula(base=100, carrier_pct=10, tech_pct=900, fusion_pct=0, years=3))
    assert result.tech_step == 0 and result.cross_step == 0
    assert result.multiplicative == pytest.approx(110)


def test_a_zero_multiplicand_zeroes_the_product_but_not_the_sum():
    result = outcome(Formula(base=100, carrier_pct=-100, tech_pct=50, fusion_pct=100, years=5))
    assert result.multiplicative == 0
    assert result.additive == pytest.approx(50)
    assert result.annual_pct == -100 and math.isinf(result.doubling)


@pytest.mark.parametrize("bad", [dict(base=0), dict(carrier_pct=-101), dict(tech_pct=-1), dict(fusion_pct=101),
                                 dict(years=0), dict(base=float("nan"))])
def test_formula_rejects_values_outside_its_range(bad):
    values = dict(base=100, carrier_pct=30, tech_pct=50, fusion_pct=60, years=5) | bad
    with pytest.raises(ValueError):
        Formula(**values)


# --- the widget ------------------------------------------------------------------------------------

@pytest.fixture
def formula_widget():
    widget = MyFormula()
    yield widget
    plt.close(widget.fig)


@pytest.mark.parametrize("typed, expected", [
    ("", "空的"), ("abc", "不是数字"), ("-5", "大于 0"), ("0", "大于 0"), ("NaN", "不是数字"),
    ("1e308", "不能大于"), ("0.001", "太小"),
])
def test_bad_base_gives_a_chinese_message(formula_widget, typed, expected):
    formula_widget.controls["base"].value = typed
    assert expected in formula_widget.messages().get("base", ""), "the message stands under the box typed into"
    assert formula_widget.last_error is None
    assert formula_widget._current is None


@pytest.mark.parametrize("typed, value", [("１２０", 120), ("1,000", 1000), ("3万", 30000)])
def test_friendly_number_forms_are_read(formula_widget, typed, value):
    formula_widget.controls["base"].value = typed
    assert not formula_widget.messages()
    assert formula_widget._current[0].base == value


def test_percent_boxes_read_50_percent_as_50(formula_widget):
    formula_widget.controls["carrier_pct"].value = "50%"
    formula_widget.controls["tech_pct"].value = "５０"
    formula, _ = formula_widget._current
    assert formula.carrier_pct == 50 and formula.tech_pct == 50
    formula_widget.controls["tech_pct"].value = "-10"
    assert "不能是负数" in formula_widget.messages().get("tech_pct", "")


def test_chart_moves_in_place(formula_widget):
    bars = list(formula_widget.bars)
    formula_widget.controls["carrier_pct"].value = "100"
    assert list(formula_widget.bars) == bars
    assert formula_widget.bars[1].get_height() == pytest.approx(100)
    assert formula_widget.bars[4].get_height() == pytest.approx(200 * 1.3)
    assert len(formula_widget.ax.patches) == 5


def test_every_change_is_saved_and_restored(formula_widget):
    formula_widget.controls["region"].value = "丽水经开区"
    formula_widget.controls["sign_text"].value = "链主企业带动配套企业"
    formula_widget.controls["base"].value = "abc"          # even an unfinished entry is kept
    formula_widget.controls["fusion_pct"].value = 35
    saved = json.loads((workspace.workspace_dir() / f"{SAVE_NAME}.json").read_text(encoding="utf-8"))["value"]
    assert saved["region"] == "丽水经开区" and saved["base"] == "abc" and saved["fusion_pct"] == 35
    again = MyFormula()                                   # a new kernel running the cell again
    assert again.controls["region"].value == "丽水经开区"
    assert again.controls["sign_text"].value == "链主企业带动配套企业"
    assert again.controls["base"].value == "abc"
    assert again.controls["fusion_pct"].value == 35
    assert "已恢复" in again.status.value
    plt.close(again.fig)


def test_long_texts_are_saved_as_typed_without_redrawing(formula_widget):
    draws = formula_widget.draw_count
    formula_widget.controls["tech_text"].value = "视觉检测"
    saved = workspace.load(SAVE_NAME).value
    assert saved["tech_text"] == "视觉检测"
    assert formula_widget.draw_count == draws
    assert formula_widget.controls["tech_text"].continuous_update


LONG = ("我们县的轴承产业：" + "数控机床联网、视觉检测、链主企业带配套企业一起改造。\n" * 400)[:10_000]


def test_a_ten_thousand_character_text_survives_restore_and_later_changes(formula_widget):
    for key in TEXT_ONLY:
        formula_widget.controls[key].value = LONG
    formula_widget.controls["fusion_pct"].value = 40        # a slider moved after typing
    again = MyFormula()                                     # the cell run again
    assert all(again.controls[key].value == LONG for key in TEXT_ONLY)
    again.controls["fusion_pct"].value = 45                 # ... and a slider moved after restoring
    again.controls["years"].value = 8
    saved = workspace.load(SAVE_NAME, per_notebook=True).value
    assert all(saved[key] == LONG for key in TEXT_ONLY) and saved["fusion_pct"] == 45
    assert "10,000 / 20,000 字" in again.counters["tech_text"].value
    plt.close(again.fig)


def test_a_text_over_the_limit_is_refused_while_typing_and_nothing_is_cut(formula_widget):
    formula_widget.controls["tech_text"].value = "短"
    too_long = "长" * (TEXT_LIMIT + 1)
    formula_widget.controls["tech_text"].value = too_long
    assert "上限" in formula_widget.status.value and f"{TEXT_LIMIT + 1:,} 字" in formula_widget.status.value
    assert "#D55E00" in formula_widget.counters["tech_text"].value
    assert formula_widget.controls["tech_text"].value == too_long, "what was typed stays in the box"
    assert workspace.load(SAVE_NAME, per_notebook=True).value["tech_text"] == "短", "the last save is kept"
    formula_widget.controls["tech_text"].value = too_long[:TEXT_LIMIT]
    assert workspace.load(SAVE_NAME, per_notebook=True).value["tech_text"] == too_long[:TEXT_LIMIT]


def test_an_over_long_saved_text_is_restored_whole_and_reported(private_workspace):
    longer = "旧" * (TEXT_LIMIT + 5000)
    workspace.save(SAVE_NAME, {"next_step": longer})
    widget = MyFormula()
    assert widget.controls["next_step"].value == longer
    assert "上限" in widget.status.value
    widget.controls["fusion_pct"].value = 20
    assert workspace.load(SAVE_NAME).value["next_step"] == longer, "never saved shorter"
    plt.close(widget.fig)


def test_two_copies_of_notebook_08_do_not_overwrite_each_other(private_workspace, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_capstone.ipynb")
    original = MyFormula()
    original.controls["region"].value = "原来的县"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_capstone-Copy1.ipynb")
    copy = MyFormula()
    assert copy.controls["region"].value == "原来的县", "a copy starts from the original's work"
    assert "08_capstone.ipynb" in copy.status.value and "不会覆盖" in copy.status.value
    copy.controls["region"].value = "另一个县"
    assert "capstone_08--08_capstone-Copy1.json" in copy.status.value
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_capstone.ipynb")   # (each kernel has its own)
    original.controls["years"].value = 7                    # the original, still open, saves again
    assert MyFormula().controls["region"].value == "原来的县"
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/08_capstone-Copy1.ipynb")
    assert MyFormula().controls["region"].value == "另一个县"
    plt.close("all")


def test_an_unusable_workspace_never_shows_a_traceback(tmp_path, monkeypatch):
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XINZHI_WORKSPACE", str(blocker / "my_work"))
    widget = MyFormula()                                    # loading: a note, not an OSError
    assert "无法创建" in widget.status.value
    widget.controls["region"].value = "丽水"                # saving: the same note, the chart still updates
    assert "无法创建" in widget.status.value and widget.last_error is None
    widget.safely(widget.make_page)()
    assert "无法创建" in widget.message.value and widget.last_error is None
    plt.close(widget.fig)


def test_restoring_does_not_write(private_workspace):
    workspace.save(SAVE_NAME, {"region": "A", "base": "50"})
    before = (private_workspace / f"{SAVE_NAME}.json").read_bytes()
    widget = MyFormula()
    assert (private_workspace / f"{SAVE_NAME}.json").read_bytes() == before
    assert widget.controls["base"].value == "50"
    plt.close(widget.fig)


def test_a_damaged_save_is_reported_and_kept(private_workspace):
    private_workspace.mkdir(parents=True, exist_ok=True)
    (private_workspace / f"{SAVE_NAME}.json").write_text("{not json", encoding="utf-8")
    widget = MyFormula()
    assert "已损坏" in widget.status.value
    kept = list(private_workspace.glob(f"{SAVE_NAME}.damaged-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{not json"
    widget.controls["region"].value = "新的内容"
    assert "已损坏" in widget.status.value                  # the note stays until the participant has read it
    assert kept[0].read_text(encoding="utf-8") == "{not json"
    plt.close(widget.fig)


def test_restore_ignores_wrong_types_and_ranges():
    values = restore({"region": 5, "base": "7", "fusion_pct": 500, "years": 3.0, "extra": "x"})
    assert values["region"] == "" and values["base"] == "7"
    assert values["fusion_pct"] == 60 and values["years"] == 3
    assert "extra" not in values
    assert restore(["not", "a", "dict"])["unit"] == "亿元"


def test_chart_text_leaves_out_only_what_no_font_can_draw():
    assert charts.label_text("丽水", "我的") == "丽水"
    assert charts.label_text("𪚥 产业", "我的") == "产业"
    assert charts.label_text("", "我的") == charts.label_text("𪚥", "我的") == "我的"
    assert charts.label_text("$x^2$", "我的") == r"\$x^2\$"          # shown as typed, not as maths
    assert charts.label_text("某县轴承产业" * 5, "我的") == ("某县轴承产业" * 3)


def test_superscripts_and_emoji_in_labels_draw_without_missing_glyphs(formula_widget):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # "Glyph … missing" would fail here
        formula_widget.controls["region"].value = "产值10¹⁵👍🏽✓"
        formula_widget.controls["unit"].value = "万m²🚗"
        formula_widget.fig.canvas.draw()
    assert formula_widget.last_error is None
    assert formula_widget.heading.get_text().startswith("产值10¹⁵")
    assert "m²" in formula_widget.ax.get_ylabel()


# --- the take-home page ------------------------------------------------------------------------------

def test_make_page_writes_png_and_printable_html(formula_widget, private_workspace):
    formula_widget.controls["region"].value = "某县<轴承>产业"
    formula_widget.controls["carrier_text"].value = "轴承企业集群"
    formula_widget.controls["next_step"].value = "摸清设备联网比例"
    formula_widget.controls["make_page"].click()
    assert formula_widget.last_error is None
    png = private_workspace / report.PNG_NAME
    page = (private_workspace / report.HTML_NAME).read_text(encoding="utf-8")
    assert png.read_bytes().startswith(b"\x89PNG")
    assert "本页数字为学员自己的假设" in page
    assert "某县&lt;轴承&gt;产业" in page and "<轴承>" not in page
    assert "轴承企业集群" in page and "摸清设备联网比例" in page
    assert "data:image/png;base64," in page and "@page" in page
    assert "@font-face" in page, "the page carries its Chinese font, so it reads on any device"
    assert "169" in page and "已生成" in formula_widget.status.value
    assert not list(private_workspace.glob(".*.tmp"))


def test_make_page_refuses_while_a_number_is_wrong(formula_widget, private_workspace):
    formula_widget.controls["tech_pct"].value = "很多"
    formula_widget.controls["make_page"].click()
    assert formula_widget.last_error is None
    assert "请先改正" in formula_widget.messages().get("make_page", "")
    assert not (private_workspace / report.HTML_NAME).exists()


def test_page_html_dates_and_blank_fields():
    formula = Formula(base=100, carrier_pct=0, tech_pct=0, fusion_pct=0, years=1)
    page = report.page_html({}, formula, "万件", b"\x89PNG", date="2026-01-02")
    assert "2026-01-02" in page and "（未填写）" in page and "万件" in page
    assert "乘数没有乘进来" in page


def test_typed_braces_and_markers_do_not_break_the_page():
    formula = Formula(base=100, carrier_pct=10, tech_pct=10, fusion_pct=50, years=2)
    page = report.page_html({"region": "{font} <!--font--> {0}", "tech_text": "{e}"}, formula, "{unit}", b"png")
    assert "{font} &lt;!--font--&gt; {0}" in page and "{e}" in page
    assert page.count("@font-face") == 1


def test_amount_never_uses_superscripts():
    assert formats.amount(1.21e14) == "121万亿"
    assert formats.amount(3e8) == "3亿"
    assert formats.amount(float("inf")) == "—"
    assert formats.amount(120000, "万元") == "120,000"      # not “12万 万元”
    assert formats.with_unit(120000, "万元") == "120,000 万元"
    assert formats.with_unit(120000, "件") == "12万 件"


def test_a_change_that_rounds_to_nothing_is_never_minus_zero():
    assert formats.signed(-0.0, unit="%") == formats.signed(-0.04, unit="%") == "+0.0%"
    assert formats.signed(-0.06, unit="%") == "-0.1%" and formats.signed(7.25, unit="%") == "+7.2%"


def test_a_fraction_in_a_percentage_box_says_how_it_was_read(formula_widget):
    formula_widget.controls["carrier_pct"].value = "0.3"
    assert "按 0.3% 计算" in formula_widget.summary.value and "请填 30" in formula_widget.summary.value
    formula_widget.controls["carrier_pct"].value = "0.3%"          # written as a percentage: nothing to ask
    assert "计算；如果你指的是" not in formula_widget.summary.value
    formula_widget.controls["carrier_pct"].value = "30"
    assert "计算；如果你指的是" not in formula_widget.summary.value


def test_the_whole_workspace_packs_into_one_zip_with_a_readable_answer_table():
    import csv
    import io
    import zipfile

    from xinzhi import records, workspace
    from xinzhi.quiz import self_check
    from xinzhi.widgets.capstone import ANSWERS_NAME, my_files, pack_my_work

    quiz = self_check("01")
    question = quiz.bank.questions[0]
    wrong = next(o for o in question.options if not o.right)
    quiz.answer(question.id, wrong.id)
    quiz.answer(question.id, question.right_option.id)
    records.append("01", {"type": "prediction", "widget": "plus_times", "question": "乘法的产出会是多少？",
                          "guess": 3.0, "result": 0.0, "skipped": False, "unit": ""})
    workspace.save("capstone_08", {"region": "某县"})
    path = pack_my_work()
    assert path.parent == workspace.workspace_dir() and path.suffix == ".zip" and path.name.isascii()
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        assert {"my_work/records_01.json", "my_work/capstone_08.json", f"my_work/{ANSWERS_NAME}"} <= names
        text = archive.read(f"my_work/{ANSWERS_NAME}").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r[2:5] for r in rows[1:3]] == [[question.question, wrong.text, "错"],
                                           [question.question, question.right_option.text, "对"]]
    assert rows[3][1:4] == ["先猜一猜", "乘法的产出会是多少？", "3"] and rows[3][6] == "0"
    assert pack_my_work().name.endswith(".zip")  # packing again leaves the earlier zip out of the new one
    box = my_files()
    box.children[1].click()
    assert path.name[:12] in box.children[2].value and "下载" in box.children[2].value


def test_the_page_font_is_subset_without_leaving_its_file_open():
    """The one-page sheet embeds a cut-down course font; the font file is closed afterwards (no ResourceWarning)."""
    import gc
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        css = report.embedded_font_css("我的乘法算式")
        gc.collect()
    assert "@font-face" in css
    left_open = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)
                 and charts.FONT_FILE.name in str(w.message)]
    assert not left_open, left_open
