"""Descriptive statistics over plain sequences of numbers."""

from typing import Dict, Sequence


def mean(values: Sequence[float]) -> float:
    """Return the arithmetic mean; raise ValueError on an empty sequence."""
    if not values:
        raise ValueError("mean() of an empty sequence")
    return sum(values) / len(values)


def median(values: Sequence[float]) -> float:
    """Return the middle value (mean of the two middle ones for even sizes)."""
    if not values:
        raise ValueError("median() of an empty sequence")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def summarize(values: Sequence[float]) -> Dict[str, float]:
    """Return count, mean, median, min and max of the values."""
    return {
        "count": float(len(values)),
        "mean": mean(values),
        "median": median(values),
        "min": min(values),
        "max": max(values),
    }
