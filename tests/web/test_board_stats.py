"""Small-cell suppression of the public statistics: no count under 5, none recoverable by subtraction."""

from __future__ import annotations

from web.board.stats import TOTAL, suppress


def table(cells: dict[tuple[str, str], int], rows: list[str], cols: list[str]) -> dict[tuple[str, str], int]:
    values = dict(cells)
    for r in rows:
        values[r, TOTAL] = sum(cells[r, c] for c in cols)
    for c in cols:
        values[TOTAL, c] = sum(cells[r, c] for r in rows)
    values[TOTAL, TOTAL] = sum(cells.values())
    return values


def test_a_small_cell_is_hidden_and_so_is_one_more_in_its_row_and_column() -> None:
    rows, cols = ["A", "B"], ["x", "y"]
    values = table({("A", "x"): 2, ("A", "y"): 9, ("B", "x"): 7, ("B", "y"): 8}, rows, cols)
    hidden = suppress(values, rows, cols)
    assert ("A", "x") in hidden
    # A's total (11) and x's total (9) are shown: A·y and B·x must go too, or 11 - 9 gives A·x.
    assert ("A", "y") in hidden and ("B", "x") in hidden
    assert ("B", "y") in hidden  # and then B's row would have one hidden cell left
    for r in [*rows, TOTAL]:
        line = [(r, c) for c in [*cols, TOTAL]]
        assert sum(k in hidden for k in line) != 1
    for c in [*cols, TOTAL]:
        line = [(r, c) for r in [*rows, TOTAL]]
        assert sum(k in hidden for k in line) != 1


def test_large_cells_are_all_shown() -> None:
    rows, cols = ["A", "B"], ["x", "y"]
    values = table({("A", "x"): 5, ("A", "y"): 9, ("B", "x"): 7, ("B", "y"): 8}, rows, cols)
    assert suppress(values, rows, cols) == set()


def test_zero_is_hidden_like_any_count_under_five() -> None:
    rows, cols = ["A"], ["x", "y"]
    values = table({("A", "x"): 0, ("A", "y"): 12}, rows, cols)
    hidden = suppress(values, rows, cols)
    assert ("A", "x") in hidden and ("A", "y") in hidden  # else 12 - 12 = 0 is told
