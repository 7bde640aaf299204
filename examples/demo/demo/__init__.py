"""Small statistics helpers: the code Pylot's demo pipeline checks."""

from demo.stats import mean, median, summarize

__all__ = ["mean", "median", "summarize"]
