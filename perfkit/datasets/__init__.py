"""Ready-made data sets: the synthetic Demo City (示例市) and real composite-indicator data.

>>> import perfkit
>>> from perfkit import datasets
>>> [info.name for info in datasets.list()]
['demo_city', 'oecd_bli', 'asem']
>>> ds = datasets.load("asem", round="2018")
>>> ds.synthetic, ds.round, len(ds.data.units)
(False, '2018', 51)

``load`` returns a :class:`Dataset` whose ``scheme`` and ``data`` go straight into
:func:`perfkit.evaluate`. Data sets live in the repository's ``datasets/`` folder; set the
environment variable ``PERFKIT_DATASETS`` to use another folder with the same layout.
"""
from perfkit.datasets.load import (
    Dataset,
    DatasetInfo,
    dataset_path,
    list,
    load,
    load_returned,
    planted,
    root,
)

__all__ = ["Dataset", "DatasetInfo", "list", "load", "load_returned", "planted", "root",
           "dataset_path"]
