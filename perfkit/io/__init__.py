"""Reading round data (CSV in UTF-8 or GBK, XLSX, Parquet) and writing results."""
from perfkit.io.read import detect_encoding, read_table
from perfkit.io.round import RoundData, load_round

__all__ = ["RoundData", "load_round", "read_table", "detect_encoding"]
