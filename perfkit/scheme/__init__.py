"""The declarative scheme: YAML in, a validated immutable :class:`Scheme` out."""
from perfkit.scheme.models import Node, SchemeModel
from perfkit.scheme.scheme import Scheme, load_scheme

__all__ = ["Scheme", "SchemeModel", "Node", "load_scheme"]
