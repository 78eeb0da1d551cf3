"""Statistics bar charts: a title for screen readers, values as text, escaped labels."""

from __future__ import annotations

from cityhall.core.charts import bar_chart


def test_values_are_written_beside_the_bars_and_labels_are_escaped():
    svg = bar_chart("Requests <by> district", [("Вахитовский & Co", 12), ("Советский", 3)])
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Requests &lt;by&gt; district" in svg
    assert "Вахитовский &amp; Co" in svg
    assert ">12</text>" in svg and ">3</text>" in svg


def test_row_and_label_limits_cut_before_escaping():
    rows = [(f"row {i} &&&&", i) for i in range(20)]
    svg = bar_chart("t", rows, max_rows=15, label_chars=6)
    assert svg.count("<rect") == 15
    assert "row 14" in svg and "row 15" not in svg
    assert "&amp;" not in svg  # cut to 6 characters first ("row 0 "), then escaped


def test_each_chart_has_its_own_title_id():
    first, second = bar_chart("a", [("x", 1)]), bar_chart("a", [("x", 1)])
    first_id = first.split('aria-labelledby="')[1].split('"')[0]
    assert first_id not in second
