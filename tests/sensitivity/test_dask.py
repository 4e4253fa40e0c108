"""uncertainty() and sobol() with their chunks on Dask: the same results as the local run for
the same seed, on a local cluster of worker processes."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import perfkit.sensitivity as ps

distributed = pytest.importorskip("distributed")

FACTORS = [ps.WeightNoise(0.25, level=1),
           ps.Normalisation([{"method": "minmax", "lo": 1}, {"method": "zscore", "mean": 100, "sd": 10}]),
           ps.Aggregation(["arithmetic", "geometric"])]


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=40)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_uncertainty_on_a_dask_cluster_equals_the_local_run(composite, client):
    local = ps.uncertainty(composite, FACTORS, n=900, rng=5, chunk_size=128)
    with distributed.get_task_stream(client) as stream:
        remote = ps.uncertainty(composite, FACTORS, n=900, rng=5, chunk_size=128, executor="dask", scheduler=client)
    chunks = [t for t in stream.data if t["key"].startswith("evaluate_chunk")]
    assert len(chunks) == 8  # ceil(900 / 128) tasks, on the cluster's workers
    np.testing.assert_array_equal(remote.final, local.final)
    np.testing.assert_array_equal(remote.rank, local.rank)
    np.testing.assert_array_equal(remote.grade, local.grade)
    pd.testing.assert_frame_equal(remote.units, local.units)
    pd.testing.assert_frame_equal(remote.grade_probabilities, local.grade_probabilities)


def test_sobol_by_scheduler_address_equals_the_local_run(oecd, client):
    factors = [ps.WeightNoise(0.25, level=1), ps.WeightNoise(0.25, level=2)]
    local = ps.sobol(oecd, factors, n=64, rng=2, outputs="mean_abs_rank_shift", num_resamples=20)
    remote = ps.sobol(oecd, factors, n=64, rng=2, outputs="mean_abs_rank_shift", num_resamples=20,
                      executor="dask", scheduler=client.scheduler.address)
    pd.testing.assert_frame_equal(remote.indices, local.indices)


def test_survey_bootstrap_chunks_on_dask_equal_the_local_run(tiny, client):
    f = [ps.SurveyBootstrap(), ps.Points("satisfaction", 10, 30), ps.GradeQuota("excellent", 0.2, 0.5)]
    local = ps.uncertainty(tiny, f, n=300, rng=1, chunk_size=64)
    remote = ps.uncertainty(tiny, f, n=300, rng=1, chunk_size=64, executor="dask", scheduler=client)
    np.testing.assert_array_equal(remote.final, local.final)
    np.testing.assert_array_equal(remote.grade, local.grade)


def test_a_factor_error_in_a_task_reaches_the_caller(oecd, client):
    with pytest.raises(ps.FactorError, match="zeros or negative values reach a geometric mean"):
        ps.uncertainty(oecd, [ps.Aggregation(["geometric"])], n=4, executor="dask", scheduler=client)


@pytest.mark.parametrize("kwargs, match", [
    ({"executor": "spark"}, "executor must be 'local' or 'dask'"),
    ({"scheduler": "tcp://h:8786"}, "scheduler= is for executor='dask'"),
])
def test_bad_executor_arguments_are_refused(composite, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ps.uncertainty(composite, FACTORS, n=8, **kwargs)
    with pytest.raises(ValueError, match=match):
        ps.sobol(composite, FACTORS, n=8, **kwargs)


def test_without_a_scheduler_a_local_cluster_is_started_and_closed(tiny):
    f = [ps.Points("satisfaction", 10, 30), ps.WeightNoise(0.2, level=2)]
    local = ps.uncertainty(tiny, f, n=200, rng=3, chunk_size=50)
    remote = ps.uncertainty(tiny, f, n=200, rng=3, chunk_size=50, executor="dask", n_jobs=2)
    np.testing.assert_array_equal(remote.final, local.final)
