import unittest

from demo import mean, median, summarize


class StatsTest(unittest.TestCase):
    def test_mean(self) -> None:
        self.assertEqual(mean([1, 2, 3, 4]), 2.5)

    def test_median_odd_and_even(self) -> None:
        self.assertEqual(median([3, 1, 2]), 2)
        self.assertEqual(median([4, 1, 3, 2]), 2.5)

    def test_empty_input_is_an_error(self) -> None:
        with self.assertRaises(ValueError):
            mean([])
        with self.assertRaises(ValueError):
            median([])

    def test_summarize(self) -> None:
        self.assertEqual(
            summarize([2, 4, 9]),
            {"count": 3.0, "mean": 5.0, "median": 4, "min": 2, "max": 9},
        )


if __name__ == "__main__":
    unittest.main()
