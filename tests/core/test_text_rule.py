"""The one text rule (core.text) and platform file names (core.files)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cityhall.core import files, text


@given(st.text(st.characters(exclude_categories=())))
def test_cleaned_text_is_valid_utf8_and_xml_without_controls(value):
    cleaned = text.clean_text(value)
    cleaned.encode("utf-8")  # no lone surrogate left
    assert "\x00" not in cleaned
    assert all(c in "\t\n\r" or ord(c) >= 0x20 for c in cleaned)
    assert text.is_clean(cleaned) and text.clean_text(cleaned) == cleaned
    assert "\n" not in text.clean_line(value)


def test_clean_data_cleans_keys_and_nested_values():
    assert text.clean_data({"a\x00": ["b\x01c", {"d": "\ud800"}], "n": 1}) == {
        "a": ["bc", {"d": "\ufffd"}],
        "n": 1,
    }


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=400))
def test_stored_names_are_short_and_plain_whatever_the_client_sent(name):
    stored = files.stored_name("requests/2026/12", name)
    assert len(stored) <= len("requests/2026/12/") + 32 + 9
    assert stored.isascii() and "/.." not in stored
    label = files.label(name)
    assert 1 <= len(label) <= files.LABEL_LENGTH and "/" not in label
    assert text.is_clean(label)


def test_a_long_label_keeps_its_extension():
    assert files.label("a" * 300 + ".pdf").endswith("….pdf")
    assert len(files.label("a" * 300 + ".pdf")) == 255
    assert files.extension("../../etc/passwd.HTML") == ".html"
    assert files.extension("archive." + "x" * 20) == ""


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body


@given(
    st.dictionaries(
        st.text(st.characters(exclude_categories=()), max_size=5),
        st.text(st.characters(exclude_categories=())) | st.lists(st.text(), max_size=3),
        max_size=4,
    ),
    st.booleans(),
)
def test_the_api_parser_cleans_every_body_the_same_whether_or_not_it_skips_the_walk(
    data, ascii_only
):
    # CleanParser skips walking a body whose bytes cannot hold anything to clean: raw or
    # escaped, every character the rule removes must still be removed.
    from cityhall.core.parsing import CleanParser

    raw = json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert CleanParser().parse_body(_Body(raw)) == text.clean_data(json.loads(raw))
