"""False-accusation rates and their intervals."""

from __future__ import annotations

import numpy as np

from training.data.build import DataRow
from training.semantic.accusations import (
    exact_interval,
    false_accusations,
    rate_with_intervals,
    source_interval,
)
from training.semantic.embed import Embedded, Sample


def test_no_accusation_in_500_images_still_allows_up_to_three_quarters_of_a_percent() -> None:
    low, high = exact_interval(0, 500)

    assert low == 0.0
    # The rule of three: 3/500 = 0.6%; the exact bound is a little above it.
    assert 0.006 < high < 0.008


def test_variants_of_one_accused_photo_widen_the_interval_by_source() -> None:
    # 100 photos with 5 variants each; 2 photos are accused in every variant.
    sources = np.repeat(np.arange(100), 5)
    accused = np.isin(sources, [3, 7])

    exact = exact_interval(int(accused.sum()), len(accused))
    by_source = source_interval(accused, sources)

    assert by_source[1] - by_source[0] > exact[1] - exact[0]


def _sample(name: str, condition: str) -> Sample:
    row = DataRow(f"images/{name}.png", name, "0" * 64, "real", "photo-people", "t", "ours", "val")
    return Sample(row=row, condition=condition, long_side=1000)


def test_a_variant_is_its_own_image_and_laundering_counts_only_under_any_condition() -> None:
    samples = [
        _sample("a", "original"),
        _sample("a", "laundered"),
        _sample("a", "camera/hdr"),
        _sample("a", "camera/hdr+laundered"),
        _sample("b", "original"),
    ]
    embedded = Embedded(samples, np.zeros((5, 4, 1280)), np.zeros(5))
    called = np.array(["real", "real", "real", "fake", "uncertain"])

    found = false_accusations(embedded, np.arange(5), called=called)

    assert found["as_made"]["images"] == 3
    assert found["as_made"]["sources"] == 2
    assert found["as_made"]["accused"] == 0
    assert found["any_condition"]["accused"] == 1


def test_none_accused_bounds_the_rate_by_the_number_of_photos_not_of_variants() -> None:
    sources = np.repeat(np.arange(50), 7)

    found = rate_with_intervals(np.zeros(len(sources), dtype=bool), sources)

    assert found["interval_exact"][1] < found["interval_by_source"][1]
    assert found["interval_by_source"] == exact_interval(0, 50)
