"""COINr's example index rebuilt by perfkit must give COINr's published numbers.

Reference: COINr (R package, W. Becker, MIT licence), documentation of ``get_results()``
(man/get_results.Rd / the pkgdown reference page), example output of
``build_example_coin()`` -> ``get_results(coin, dset = "Aggregated", tab_type = "Aggs")``:
denominate, impute by EurAsia_group mean, screen (on the imputed set), treat (winsorise up to
5 points, log fallback), min-max 0-100, weighted arithmetic mean. Scores rounded to 2 dp.
"""
import pandas as pd
import pytest

import perfkit
from perfkit import datasets

# uCode, Rank, Index, Conn, Sust, Physical, ConEcFin, Political, Instit, P2P, Environ, Social, SusEcFin
PUBLISHED = """
CHE 1 68.38 62.79 73.98 63.41 32.87 74.78 85.94 56.93 77.21 87.85 56.88
NLD 2 64.82 61.94 67.70 64.87 46.62 84.55 71.74 41.92 58.73 86.58 57.78
DNK 3 64.80 57.10 72.51 50.52 30.43 78.13 75.35 51.04 69.83 86.40 61.29
NOR 4 64.47 57.44 71.50 58.18 25.70 80.03 89.46 33.80 70.90 87.00 56.59
BEL 5 63.54 63.99 63.09 71.97 48.22 80.84 75.60 43.32 53.01 86.17 50.09
SWE 6 63.00 53.87 72.12 51.51 23.87 80.98 74.51 38.50 66.37 87.74 62.27
"""
COLUMNS = ["Index", "Conn", "Sust", "Physical", "ConEcFin", "Political", "Instit", "P2P", "Environ", "Social",
           "SusEcFin"]


@pytest.fixture(scope="module")
def ev():
    ds = datasets.load("asem", round="2018")
    return perfkit.evaluate(ds.scheme, ds.data)


def _published() -> pd.DataFrame:
    rows = [line.split() for line in PUBLISHED.strip().splitlines()]
    df = pd.DataFrame(rows, columns=["uCode", "Rank", *COLUMNS]).set_index("uCode")
    return df.astype(float)


def test_asem_top_six_scores_match_coinr_to_two_decimals(ev):
    pub = _published()
    got = ev.nodes.loc[pub.index, COLUMNS].round(2)
    pd.testing.assert_frame_equal(got, pub[COLUMNS], check_names=False, atol=0.0051)


def test_asem_ranks_match_coinr(ev):
    pub = _published()
    assert ev.results.loc[pub.index, "rank"].tolist() == pub["Rank"].tolist()


def test_asem_keeps_all_51_countries_as_coinr_does(ev):
    # COINr screens the imputed data set, so no country falls below 90% availability
    assert ev.results["final"].notna().sum() == 51
    assert ev.treatment["screened_out"] == []
