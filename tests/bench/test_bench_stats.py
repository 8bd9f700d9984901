"""bench.stats: percentiles, summaries, SLO parsing, goodput, histograms — pure functions."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmgw_cli.bench import stats

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def test_percentile_interpolates_linearly_like_numpy() -> None:
    data = [1.0, 2.0, 3.0, 4.0]
    assert stats.percentile(data, 0) == 1.0
    assert stats.percentile(data, 100) == 4.0
    assert stats.percentile(data, 50) == 2.5
    # numpy.percentile([1, 2, 3, 4], 90) == 3.7
    assert stats.percentile(data, 90) == pytest.approx(3.7)
    assert stats.percentile([7.0], 99) == 7.0


def test_percentile_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        stats.percentile([], 50)
    with pytest.raises(ValueError):
        stats.percentile([1.0], 101)


@given(st.lists(finite, min_size=1, max_size=200), st.floats(min_value=0, max_value=100))
def test_percentile_lies_within_the_data_and_is_monotonic(values: list[float], p: float) -> None:
    data = sorted(values)
    got = stats.percentile(data, p)
    assert data[0] - 1e-6 <= got <= data[-1] + 1e-6
    assert stats.percentile(data, min(100.0, p + 1)) >= got - 1e-6


@given(st.lists(finite, min_size=1, max_size=200))
def test_summary_matches_the_statistics_module(values: list[float]) -> None:
    s = stats.summarize(values)
    assert s is not None
    assert list(s) == list(stats.STAT_KEYS)
    assert s["mean"] == pytest.approx(statistics.fmean(values), rel=1e-9, abs=1e-6)
    assert s["min"] == min(values) and s["max"] == max(values)
    # statistics.quantiles(method="inclusive") is the same linear interpolation.
    if len(values) > 1:
        q = statistics.quantiles(values, n=100, method="inclusive")
        assert s["p50"] == pytest.approx(q[49], abs=1e-6)
        assert s["p99"] == pytest.approx(q[98], abs=1e-6)
    assert s["min"] <= s["p50"] <= s["p90"] <= s["p95"] <= s["p99"] <= s["max"]


def test_summary_of_nothing_is_none() -> None:
    assert stats.summarize([]) is None
    assert stats.rounded(None) is None
    assert stats.rounded({"mean": 1.23456}) == {"mean": 1.235}


def test_tpot_is_time_after_the_first_token_per_later_token() -> None:
    assert stats.tpot(240.0, 50.0, 20) == pytest.approx(10.0)
    assert stats.tpot(100.0, 50.0, 1) is None
    assert stats.tpot(100.0, 50.0, 0) is None


def test_ratio() -> None:
    assert stats.ratio(60.0, 20.0) == pytest.approx(3.0)
    assert stats.ratio(1.0, 0.0) is None
    assert stats.ratio(None, 1.0) is None


def test_parse_slo() -> None:
    assert stats.parse_slo("ttft=500,e2e=2000") == stats.Slo(500.0, 2000.0, 99.0)
    assert stats.parse_slo(" e2e=1.5ms , p=95% ") == stats.Slo(None, 1.5, 95.0)
    assert stats.parse_slo("TTFT=200") == stats.Slo(200.0, None, 99.0)
    for bad in (
        "",
        "ttft",
        "ttft=abc",
        "itl=3",
        "ttft=-1",
        "p=90",
        "ttft=1,ttft=2",
        "ttft=1,p=101",
    ):
        with pytest.raises(ValueError):
            stats.parse_slo(bad)


def test_slo_met_needs_success_and_every_bound() -> None:
    slo = stats.Slo(ttft_ms=100, e2e_ms=1000)
    assert slo.met(True, 99.9, 999.0)
    assert slo.met(True, 100.0, 1000.0)  # bounds are inclusive
    assert not slo.met(True, 100.1, 500.0)
    assert not slo.met(True, 50.0, 1000.1)
    assert not slo.met(False, 1.0, 1.0)
    assert not slo.met(True, None, 10.0)  # no TTFT (non-streaming) cannot meet a TTFT bound
    assert stats.Slo(e2e_ms=10).met(True, None, 10.0)


def test_goodput_pass_mark_is_exact_in_whole_requests() -> None:
    slo = stats.Slo(e2e_ms=1, percent=99)
    assert stats.Goodput(99, 100, 2.0, slo).passed
    assert not stats.Goodput(98, 100, 2.0, slo).passed
    g = stats.Goodput(3, 4, 2.0, stats.Slo(e2e_ms=1, percent=75))
    assert g.passed and g.fraction == 0.75 and g.per_s == 1.5
    assert not stats.Goodput(0, 0, 0.0, slo).passed


def test_histogram_bins_share_edges_and_keep_overflow_in_the_last_bin() -> None:
    values = [float(v) for v in range(100)] + [10_000.0]
    edges = stats.bin_edges(values, bins=10)
    assert len(edges) == 11 and edges[0] == 0.0
    assert edges[-1] < 10_000.0  # clipped at p99, so one outlier does not flatten the rest
    hist = stats.histogram(values, edges)
    assert sum(hist.counts) == len(values)
    assert hist.overflow >= 1
    assert stats.histogram([5.0, 5.0], stats.bin_edges([5.0, 5.0], bins=4)).counts[0] == 2
    assert stats.bin_edges([], bins=3) == ()


@given(
    st.lists(st.floats(min_value=0, max_value=1e5), min_size=1, max_size=300), st.integers(1, 20)
)
def test_histogram_counts_every_value_once(values: list[float], bins: int) -> None:
    edges = stats.bin_edges(values, bins=bins)
    hist = stats.histogram(values, edges)
    assert len(hist.counts) == bins
    assert sum(hist.counts) == len(values)
