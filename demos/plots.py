"""Matplotlib figures in the user's language: tick labels with the language's decimal mark."""

from __future__ import annotations

from matplotlib import ticker
from matplotlib.figure import Figure

from demos.i18n import current


class LocalFormatter(ticker.ScalarFormatter):
    """matplotlib's usual tick labels, with the decimal mark of the current language (0,5 in Spanish)."""

    def __init__(self, mark: str) -> None:
        super().__init__()
        self.mark = mark

    def __call__(self, x: float, pos: int | None = None) -> str:
        return super().__call__(x, pos).replace(".", self.mark)


def localize(fig: Figure) -> Figure:
    """Give every numeric axis of `fig` the current language's decimal mark; returns `fig`."""
    from babel.numbers import get_decimal_symbol

    mark = get_decimal_symbol(current())
    if mark == ".":
        return fig
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if isinstance(axis.get_major_formatter(), ticker.ScalarFormatter):
                axis.set_major_formatter(LocalFormatter(mark))
    return fig
