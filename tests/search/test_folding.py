"""Folding: the Python side (queries, snippets) and the PostgreSQL index fold alike."""

import importlib.util
from pathlib import Path

from tracker.search.folding import VIETNAMESE_LETTERS, ascii_bases, fold, query_terms
from tracker.search.snippets import snippet

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0009_search.py"


def _migration():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("migration_0009", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_folding_removes_diacritics_and_the_stroke_of_d_keeping_positions() -> None:
    assert fold("Quy chế dân chủ ở cơ sở") == "quy che dan chu o co so"
    assert fold("ĐÔN ĐỐC đôn đốc") == "don doc don doc"
    text = "Hội Liên hiệp Phụ nữ Việt Nam"
    assert len(fold(text)) == len(text)


def test_query_words_are_folded_bounded_and_free_of_search_syntax() -> None:
    assert query_terms('Quy chế "dân" chủ* OR NEAR(') == ["quy", "che", "dan", "chu", "or", "near"]
    assert query_terms("a " * 50) == ["a"]
    assert len(query_terms(" ".join(f"w{n}" for n in range(20)))) == 8
    assert query_terms("!!! ---") == []


def test_the_migration_folds_the_same_letters_to_the_same_bases() -> None:
    migration = _migration()
    assert migration.VIETNAMESE_LETTERS == VIETNAMESE_LETTERS
    assert ascii_bases() == migration.ASCII_BASES
    assert len(migration.VIETNAMESE_LETTERS) == len(migration.ASCII_BASES)


def test_snippet_marks_the_words_as_written_and_escapes_the_rest() -> None:
    marked = str(snippet("Thực hiện <Quy chế> dân chủ ở Đồng Nai", ["quy", "che", "dong"]))
    assert "<mark>Quy</mark> <mark>chế</mark>" in marked
    assert "<mark>Đồng</mark>" in marked
    assert "&lt;" in marked and "<Quy" not in marked
