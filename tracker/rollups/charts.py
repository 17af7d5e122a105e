"""Charts drawn by pygal as inline SVG, fit for our Content-Security-Policy.

The policy forbids inline scripts and styles, so pygal's script and <style> elements are taken
out of each chart; its stylesheet is served from our own origin instead (`stylesheet()`). Each
kind of chart has a fixed id, so that stylesheet's selectors always match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from tracker.assignments.status import Category
from tracker.rollups.periods import Period
from tracker.rollups.queries import Figures

UNIT_CHART_ID = "unit-status"
TREND_CHART_ID = "trend"
# The colours of the category badges in app.css, in the order of Category.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1d2733",
    foreground_strong="#1d2733",
    foreground_subtle="#5b6673",
    font_family='"Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    opacity="0.9",
    opacity_hover="1",
    colors=("#1e7b34", "#b26a00", "#1f5fa8", "#8a949e", "#b3261e", "#c3c9cf"),
)


def _strip_inline(tree: Any) -> Any:
    """Drop what the policy would block anyway: scripts, <style>, style attributes, comments."""
    for element in list(tree.iter()):
        tag = _local_name(element)
        if tag in {"script", "style", ""}:
            element.getparent().remove(element)
        else:
            element.attrib.pop("style", None)
    return tree


def _local_name(element: Any) -> str:
    """The tag without its namespace; "" for comments."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _chart(kind: type[pygal.graph.graph.Graph], chart_id: str, **config: Any) -> Any:
    chart = kind(
        style=STYLE,
        js=[],
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        print_values=False,
        show_y_guides=True,
        margin=8,
        **config,
    )
    chart.uuid = chart_id
    chart.xml_filters.append(_strip_inline)
    return chart


def _svg(chart: Any) -> Markup:
    # pygal escapes every text it writes (unit names included); the links come from url_for.
    return Markup(chart.render(is_unicode=True))


def status_by_unit(
    rows: Sequence[tuple[str, Figures, Callable[[Category], str]]],
    *,
    title: str,
    labels: dict[Category, str],
) -> Markup:
    """Stacked bars, one per unit: (name, figures, link for a category) for each row."""
    chart = _chart(
        pygal.HorizontalStackedBar,
        UNIT_CHART_ID,
        title=title,
        height=120 + 34 * max(len(rows), 1),
        width=800,
        truncate_label=36,
    )
    chart.x_labels = [name for name, _, _ in rows]
    for category in Category:
        chart.add(
            labels[category],
            [
                {"value": figures.counts[category] or None, "xlink": _link(link(category))}
                for _, figures, link in rows
            ],
        )
    return _svg(chart)


def trend(
    periods: Sequence[tuple[Period, Figures]],
    *,
    title: str,
    labels: dict[Category, str],
    period_label: Callable[[Period], str],
    link: Callable[[Period, Category], str],
) -> Markup:
    """Stacked bars, one per quarter, of the work due in it."""
    chart = _chart(pygal.StackedBar, TREND_CHART_ID, title=title, height=360, width=800)
    chart.x_labels = [period_label(period) for period, _ in periods]
    for category in Category:
        chart.add(
            labels[category],
            [
                {
                    "value": figures.counts[category] or None,
                    "xlink": _link(link(period, category)),
                }
                for period, figures in periods
            ],
        )
    return _svg(chart)


def _link(href: str) -> dict[str, str]:
    return {"href": href, "target": "_self"}


@cache
def stylesheet() -> str:
    """pygal's CSS for both charts (the same for any data: it depends on the style only)."""
    sample = Figures.of([(category.value, 1) for category in Category])
    labels = {category: category.value for category in Category}
    css = []
    for chart in (
        _chart(pygal.HorizontalStackedBar, UNIT_CHART_ID),
        _chart(pygal.StackedBar, TREND_CHART_ID),
    ):
        chart.xml_filters.clear()
        chart.x_labels = ["x"]
        for category in Category:
            chart.add(labels[category], [sample.counts[category]])
        tree = chart.render_tree()
        css += [node.text or "" for node in tree.iter() if _local_name(node) == "style"]
    return "\n".join(css)
