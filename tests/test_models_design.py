import math
import time

import numpy as np
import pytest

from xinzhi.models import design, scarf


def test_design_space_is_the_product_of_choices():
    assert design.design_space({"纹样": 100, "配色": 20, "构图": 5}) == 10_000
    assert design.design_space([2, 3, 7]) == 42
    assert design.design_space([]) == 1
    assert design.design_space([1, 1, 1]) == 1


def test_log10_is_the_sum_of_logs_and_handles_huge_products():
    choices = [1000] * 40          # 10^120: far beyond float range as a product of floats? no, but exact int
    assert design.log10_design_space(choices) == pytest.approx(120)
    assert design.design_space(choices) == 10 ** 120
    parts = design.log10_contributions({"a": 10, "b": 100})
    assert parts == {"a": pytest.approx(1), "b": pytest.approx(2)}
    assert sum(parts.values()) == pytest.approx(design.log10_design_space({"a": 10, "b": 100}))


def test_the_article_claim_is_8_times_10_to_the_14():
    assert design.CLAIM_TOTAL == 8 * 10 ** 14
    assert design.claim_total(80e8, 10e4) == pytest.approx(8e14)


def test_comparison_with_the_claim():
    assert design.ratio_to_target([8, 10 ** 14]) == pytest.approx(1.0)
    assert design.ratio_to_target([10 ** 15]) == pytest.approx(1.25)
    assert design.orders_of_magnitude_short([10 ** 15]) == 0.0
    assert design.orders_of_magnitude_short([8 * 10 ** 10]) == pytest.approx(4.0)


def test_dimensions_needed():
    assert design.dimensions_needed(10, 8e14) == 15
    assert design.dimensions_needed(10, 1e14) == 14
    assert design.dimensions_needed(2, 8) == 3
    assert design.dimensions_needed(1000, 8e14) == 5
    with pytest.raises(ValueError):
        design.dimensions_needed(1)


@pytest.mark.parametrize("bad", [[0], [-3], [2.5], [math.nan], ["7"], [True]])
def test_bad_choice_counts_are_refused(bad):
    with pytest.raises(ValueError):
        design.design_space(bad)


# --- the scarf generator ----------------------------------------------------------------------

def test_scarf_is_an_rgb_square_and_deterministic():
    a = scarf.scarf_image("flower", 8, "qinghua", 42, size=120)
    b = scarf.scarf_image("flower", 8, "qinghua", 42, size=120)
    assert a.shape == (120, 120, 3) and a.dtype == np.uint8
    assert np.array_equal(a, b)


def test_other_seeds_give_other_designs():
    images = [scarf.scarf_image("cloud", 6, "zhusha", seed, size=100) for seed in range(6)]
    assert len({img.tobytes() for img in images}) == 6


@pytest.mark.parametrize("motif", list(scarf.MOTIFS))
@pytest.mark.parametrize("palette", list(scarf.PALETTES))
def test_every_motif_and_palette_draws_with_palette_colours_only(motif, palette):
    img = scarf.scarf_image(motif, 5, palette, 3, size=96)
    used = {tuple(px) for px in img.reshape(-1, 3)}
    allowed = {tuple(c) for c in scarf.PALETTES[palette].rgb()}
    assert used <= allowed
    assert len(used) >= 3      # a pattern, not a flat square


def test_central_medallion_has_the_chosen_rotational_symmetry():
    for k in (4, 8):           # quarter-turn symmetric orders survive pixel-grid rotation exactly
        idx = scarf.scarf_indices("flower", k, "yulan", 11, size=200)
        centre = idx[50:150, 50:150]
        assert np.mean(centre == np.rot90(centre)) > 0.97


def test_scarf_is_fast():
    start = time.perf_counter()
    for seed in range(5):
        scarf.scarf_image("wave", 12, "qinglv", seed, size=360)
    assert (time.perf_counter() - start) / 5 < 0.5


def test_every_palette_has_five_named_colours_and_a_stated_origin():
    for p in scarf.PALETTES.values():
        assert len(p.colours) == 5 and all(name for name, _ in p.colours)
        assert p.rgb().shape == (5, 3)
    assert "自选" in scarf.PALETTE_SOURCE


@pytest.mark.parametrize("args", [("star", 8, "qinghua", 0), ("flower", 1, "qinghua", 0),
                                  ("flower", 17, "qinghua", 0), ("flower", 8, "neon", 0),
                                  ("flower", 8, "qinghua", -1), ("flower", 8.5, "qinghua", 0)])
def test_bad_designs_are_refused(args):
    with pytest.raises(ValueError):
        scarf.scarf_image(*args, size=64)
