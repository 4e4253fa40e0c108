"""Published cases from the OECD/JRC handbook, shared by the kernel and weighting tests.

Source: OECD/JRC (2008), *Handbook on Constructing Composite Indicators: Methodology and
User Guide*, OECD Publishing, ISBN 978-92-64-04345-9. Page numbers are the printed ones.
The Technology Achievement Index (TAI) data are those of the handbook's Table A.2
(p. 152-153, the first 23 countries, the handbook's case study); telephones and
electricity are logs, printed with two decimals (Table 35 prints them with three).
"""
import numpy as np

TAI_COUNTRIES = (
    "Finland", "United States", "Sweden", "Japan", "Korea", "Netherlands", "United Kingdom",
    "Canada", "Australia", "Singapore", "Germany", "Norway", "Ireland", "Belgium",
    "New Zealand", "Austria", "France", "Israel", "Spain", "Italy", "Czech Republic",
    "Hungary", "Slovenia",
)
TAI_INDICATORS = ("patents", "royalties", "internet", "exports", "telephones", "electricity",
                  "schooling", "university")
TAI = np.array([
    # patents royalties internet exports telephones electricity schooling university
    [187, 125.6, 200.2, 50.7, 3.08, 4.15, 10.0, 27.4],
    [289, 130.0, 179.1, 66.2, 3.00, 4.07, 12.0, 13.9],
    [271, 156.6, 125.8, 59.7, 3.10, 4.14, 11.4, 15.3],
    [994, 64.6, 49.0, 80.8, 3.00, 3.86, 9.5, 10.0],
    [779, 9.8, 4.8, 66.7, 2.97, 3.65, 10.8, 23.2],
    [189, 151.2, 136.0, 50.9, 3.02, 3.77, 9.4, 9.5],
    [82, 134.0, 57.4, 61.9, 3.02, 3.73, 9.4, 14.9],
    [31, 38.6, 108.0, 48.7, 2.94, 4.18, 11.6, 14.2],
    [75, 18.2, 125.9, 16.2, 2.94, 3.94, 10.9, 25.3],
    [8, 25.5, 72.3, 74.9, 2.95, 3.83, 7.1, 24.2],
    [235, 36.8, 41.2, 64.2, 2.94, 3.75, 10.2, 14.4],
    [103, 20.2, 193.6, 19.0, 3.12, 4.39, 11.9, 11.2],
    [106, 110.3, 48.6, 53.6, 2.97, 3.68, 9.4, 12.3],
    [72, 73.9, 58.9, 47.6, 2.91, 3.86, 9.3, 13.6],
    [103, 13.0, 146.7, 15.4, 2.86, 3.91, 11.7, 13.1],
    [165, 14.8, 84.2, 50.3, 2.99, 3.79, 8.4, 13.6],
    [205, 33.6, 36.4, 58.9, 2.97, 3.80, 7.9, 12.6],
    [74, 43.6, 43.2, 45.0, 2.96, 3.74, 9.6, 11.0],
    [42, 8.6, 21.0, 53.4, 2.86, 3.62, 7.3, 15.6],
    [13, 9.8, 30.4, 51.0, 3.00, 3.65, 7.2, 13.0],
    [28, 4.2, 25.0, 51.7, 2.75, 3.68, 9.5, 8.2],
    [26, 6.2, 21.6, 63.5, 2.73, 3.46, 9.1, 7.7],
    [105, 4.0, 20.3, 49.5, 2.84, 3.71, 7.1, 10.6],
])
SCHOOLING = TAI[:, 6]

# Table 15 (p. 87): normalisations of "mean years of school", printed with two decimals
# (percentile with one), in the order of TAI_COUNTRIES.
TABLE15 = {
    "rank": [15, 23, 19, 12, 17, 9, 9, 20, 18, 1, 16, 22, 9, 8, 21, 6, 5, 14, 4, 3, 12, 7, 1],
    "zscore": [0.26, 1.52, 1.14, -0.06, 0.76, -0.12, -0.12, 1.27, 0.83, -1.58, 0.38, 1.46, -0.12,
               -0.19, 1.33, -0.76, -1.08, 0.00, -1.46, -1.52, -0.06, -0.31, -1.58],
    "minmax": [0.59, 1.00, 0.88, 0.49, 0.76, 0.47, 0.47, 0.92, 0.78, 0.00, 0.63, 0.98, 0.47, 0.45,
               0.94, 0.27, 0.16, 0.51, 0.04, 0.02, 0.49, 0.41, 0.00],
    "ratio_mean": [1.04, 1.25, 1.19, 0.99, 1.13, 0.98, 0.98, 1.21, 1.14, 0.74, 1.06, 1.24, 0.98,
                   0.97, 1.22, 0.88, 0.82, 1.00, 0.76, 0.75, 0.99, 0.95, 0.74],
    "ratio_best": [0.83, 1.00, 0.95, 0.79, 0.90, 0.78, 0.78, 0.97, 0.91, 0.59, 0.85, 0.99, 0.78,
                   0.78, 0.98, 0.70, 0.66, 0.80, 0.61, 0.60, 0.79, 0.76, 0.59],
    "ratio_worst": [1.41, 1.69, 1.61, 1.34, 1.52, 1.32, 1.32, 1.63, 1.54, 1.00, 1.44, 1.68, 1.32,
                    1.31, 1.65, 1.18, 1.11, 1.35, 1.03, 1.01, 1.34, 1.28, 1.00],
    "difference_mean": [0.04, 0.25, 0.19, -0.01, 0.13, -0.02, -0.02, 0.21, 0.14, -0.26, 0.06, 0.24,
                        -0.02, -0.03, 0.22, -0.12, -0.18, 0.00, -0.24, -0.25, -0.01, -0.05, -0.26],
    "difference_worst": [0.41, 0.69, 0.61, 0.34, 0.52, 0.32, 0.32, 0.63, 0.54, 0.00, 0.44, 0.68,
                         0.32, 0.31, 0.65, 0.18, 0.11, 0.35, 0.03, 0.01, 0.34, 0.28, 0.00],
    "above_below": [0, 1, 0, 0, 0, 0, 0, 1, 0, -1, 0, 1, 0, 0, 1, 0, 0, 0, -1, -1, 0, 0, -1],
    "percentile": [65.2, 100, 82.6, 52.2, 73.9, 39.1, 39.1, 87.0, 78.3, 4.3, 69.6, 95.7, 39.1, 34.8,
                   91.3, 26.1, 21.7, 60.9, 17.4, 13.0, 52.2, 30.4, 4.3],
    "categorical": [60, 100, 60, 50, 60, 50, 50, 80, 60, 0, 60, 100, 50, 40, 80, 40, 40, 50, 40, 20,
                    50, 40, 0],
}

# Table 19 (p. 94): benefit-of-the-doubt scores of the TAI, min-max normalised data, each
# weight between 10 % and 15 % of the sum of the weights (endnote 29, p. 157).
TABLE19_SCORES = [1, 1, 1, 0.87, 0.80, 0.75, 0.71, 0.73, 0.66, 0.62, 0.62, 0.86, 0.60, 0.54,
                  0.58, 0.52, 0.51, 0.49, 0.34, 0.38, 0.31, 0.27, 0.28]

# Table 35 (p. 113): impact matrix of five TAI countries, equal weights 1/8.
TABLE35_COUNTRIES = ("Finland", "USA", "Sweden", "Japan", "Korea")
TABLE35 = np.array([
    [187, 125.6, 200.2, 50.7, 3.080, 4.150, 10.0, 27.4],
    [289, 130.0, 179.1, 66.2, 2.997, 4.073, 12.0, 13.9],
    [271, 156.6, 125.8, 59.7, 3.096, 4.145, 11.4, 15.3],
    [994, 64.6, 49.0, 80.8, 3.003, 3.865, 9.5, 10.0],
    [779, 9.8, 4.8, 66.7, 2.972, 3.653, 10.8, 23.2],
])
# Table 36 (p. 114): its outranking matrix (row country vs column country).
TABLE36 = np.array([
    [0, 0.5, 0.375, 0.75, 0.625],
    [0.5, 0, 0.5, 0.625, 0.625],
    [0.625, 0.5, 0, 0.75, 0.625],
    [0.25, 0.375, 0.25, 0, 0.75],
    [0.375, 0.375, 0.375, 0.25, 0],
])
# Table 37 (p. 114): the three rankings with the highest support, 6.375 (best first).
TABLE37_BEST = (("USA", "Sweden", "Finland", "Japan", "Korea"),
                ("Sweden", "Finland", "USA", "Japan", "Korea"),
                ("Sweden", "USA", "Finland", "Japan", "Korea"))
TABLE37_SUPPORT = 6.375


def profile_matrix(columns, counts):
    """Units x criteria scores from a voting profile: each column ranks the units best first
    (``columns[k]`` a string such as ``"abcd"``), held by ``counts[k]`` indicators; the
    weights are the counts."""
    units = sorted(columns[0])
    x = np.zeros((len(units), len(columns)))
    for k, order in enumerate(columns):
        for pos, u in enumerate(order):
            x[units.index(u), k] = len(order) - pos
    return x, np.asarray(counts, dtype=float)


# Table 25 (p. 106, after Moulin 1988): 21 indicators rank four countries; Table 27
# (p. 107) its outranking matrix (counts of indicators); Condorcet ranking c > b > d > a.
TABLE25 = profile_matrix(["abcd", "acbd", "bdca", "cbda"], [3, 5, 7, 6])
TABLE27 = np.array([[0, 8, 8, 8], [13, 0, 10, 21], [13, 11, 0, 14], [13, 0, 7, 0]])
# Table 28 (p. 108, Condorcet 1785): 60 indicators, three countries, a cycle; Table 30 its
# outranking matrix; p. 111 the supports of the six rankings, best b > c > a (104).
TABLE28 = profile_matrix(["abc", "bca", "bac", "cab", "cba"], [23, 17, 2, 10, 8])
TABLE30 = np.array([[0, 33, 25], [27, 0, 42], [35, 18, 0]])
TABLE28_SUPPORT = {"abc": 100, "bca": 104, "cab": 86, "bac": 94, "cba": 80, "acb": 76}
# Table 34 (p. 112): the Condorcet paradox, three rankings tie.
TABLE34 = profile_matrix(["abc", "cab", "bca"], [1, 1, 1])
