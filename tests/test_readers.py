"""Reading messy inputs: discovery, sharding, and every way a file can be bad without stopping the run."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from clean.document import RawRecord
from clean.errors import UsageError
from clean.readers import (
    Discovery,
    Failure,
    InputFile,
    Piece,
    Shard,
    discover,
    jsonl,
    plan_shards,
    read_piece,
    read_shard,
)

ARTICLE = (
    "Chancellor unveils £600m plan for northern rail links\n"
    "By Siân O’Connor, Transport Correspondent\n"
    "\n"
    "The Chancellor’s £600m package – announced on Tuesday in Manchester – will fund “shovel-ready” upgrades "
    "between Leeds and York, according to the Treasury.\n"
    "Zoë Ménard, who runs a café near the station, said: “It’s about time. We’ve waited ten years for this…”\n"
    "The European Investment Bank is expected to add €250m, officials said.\n"
)
HTML = (
    '<!doctype html><html><head><meta charset="windows-1252"><title>Rail links</title></head>'
    "<body><article><h1>Chancellor unveils £600m plan</h1><p>“It’s about time,” said Zoë Ménard.</p>"
    "</article></body></html>\n"
)
CAN_CHMOD = os.name == "posix" and os.geteuid() != 0


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def news_record(i: int) -> dict[str, object]:
    return {
        "id": f"bbc-{i:05d}",
        "url": f"https://example.co.uk/news/{i}",
        "title": f"Story {i}: Zoë’s café",
        "author": ["Siân O’Connor", "José Álvarez"],
        "date": "2024-03-05",
        "text": f"Paragraph one of story {i} – “quoted”, £{i}m.\nParagraph two.",
    }


def read_all(path: Path, **kw: int) -> list[RawRecord | Failure]:
    found = discover([path])
    return [*found.failures, *(item for shard in plan_shards(found.files) for item in read_shard(shard, **kw))]


def records(items: list[RawRecord | Failure]) -> list[RawRecord]:
    return [i for i in items if isinstance(i, RawRecord)]


def failures(items: list[RawRecord | Failure]) -> list[Failure]:
    return [i for i in items if isinstance(i, Failure)]


# ---------------------------------------------------------------------------------------------- discover


class TestDiscover:
    def test_walks_sorted_recursively_and_skips_hidden(self, tmp_path: Path) -> None:
        for rel in ["b.txt", "a/z.txt", "a.txt", "a/b/c.html", ".git/x.txt", "a/.secret.txt", "c d/é page.htm"]:
            write(tmp_path / rel, ARTICLE)
        write(tmp_path / "README.md", "docs")
        write(tmp_path / "a" / "photo.jpg", b"\xff\xd8")
        found = discover([tmp_path])
        assert [f.source for f in found.files] == ["a/b/c.html", "a/z.txt", "a.txt", "b.txt", "c d/é page.htm"]
        assert [f.format for f in found.files] == ["html", "txt", "txt", "txt", "html"]
        assert found.skipped == ["README.md", "a/photo.jpg"]  # code-point order: capitals first
        assert found.failures == []

    def test_unpacks_as_files_and_failures(self, tmp_path: Path) -> None:
        write(tmp_path / "a.txt", ARTICLE)
        files, fails = discover([tmp_path])
        assert [f.source for f in files] == ["a.txt"]
        assert fails == []

    def test_formats_and_compression_from_the_name(self, tmp_path: Path) -> None:
        for name in ["a.txt.gz", "b.HTML", "c.jsonl.gz", "d.parquet", "e.html.gz", "f.gz", "g.jsonl"]:
            write(tmp_path / name, b"")
        found = discover([tmp_path])
        kinds = {f.source: (f.format, f.compression) for f in found.files}
        assert kinds == {
            "a.txt.gz": ("txt", "gzip"),
            "b.HTML": ("html", None),
            "c.jsonl.gz": ("jsonl", "gzip"),
            "d.parquet": ("parquet", None),
            "e.html.gz": ("html", "gzip"),
            "g.jsonl": ("jsonl", None),
        }
        assert found.skipped == ["f.gz"]

    def test_missing_input_is_a_usage_error(self, tmp_path: Path) -> None:
        with pytest.raises(UsageError, match="does not exist"):
            discover([tmp_path / "nope"])

    def test_given_file_with_unknown_extension_fails(self, tmp_path: Path) -> None:
        found = discover([write(tmp_path / "notes.pdf", b"%PDF")])
        assert found.files == []
        assert [(f.source, f.reason.split(" (")[0]) for f in found.failures] == [("notes.pdf", "unknown format")]

    def test_given_file_source_is_its_name(self, tmp_path: Path) -> None:
        found = discover([write(tmp_path / "deep" / "er" / "story.txt", ARTICLE)])
        assert [f.source for f in found.files] == ["story.txt"]

    def test_same_name_given_twice_from_different_folders(self, tmp_path: Path) -> None:
        a = write(tmp_path / "bbc" / "2024" / "page.txt", "one")
        b = write(tmp_path / "cnn" / "2024" / "page.txt", "two")
        c = write(tmp_path / "cnn" / "other.txt", "three")
        found = discover([b, a, c])
        assert [f.source for f in found.files] == ["bbc/2024/page.txt", "cnn/2024/page.txt", "other.txt"]
        assert {f.source: Path(f.path).read_text() for f in found.files}["bbc/2024/page.txt"] == "one"

    def test_several_folders_are_prefixed_with_their_names(self, tmp_path: Path) -> None:
        write(tmp_path / "crawl-a" / "x.txt", "a")
        write(tmp_path / "crawl-b" / "x.txt", "b")
        write(tmp_path / "crawl-b" / "y.txt", "b")
        found = discover([tmp_path / "crawl-b", tmp_path / "crawl-a"])
        assert [f.source for f in found.files] == ["crawl-a/x.txt", "crawl-b/x.txt", "crawl-b/y.txt"]

    def test_two_folders_with_the_same_name(self, tmp_path: Path) -> None:
        write(tmp_path / "2023" / "data" / "x.txt", "a")
        write(tmp_path / "2024" / "data" / "x.txt", "b")
        found = discover([tmp_path / "2024" / "data", tmp_path / "2023" / "data"])
        assert [f.source for f in found.files] == ["2023/data/x.txt", "2024/data/x.txt"]

    def test_same_name_in_two_subfolders_of_one_input(self, tmp_path: Path) -> None:
        write(tmp_path / "uk" / "index.html", HTML)
        write(tmp_path / "us" / "index.html", HTML)
        assert [f.source for f in discover([tmp_path]).files] == ["uk/index.html", "us/index.html"]

    def test_a_file_reached_twice_is_read_once(self, tmp_path: Path) -> None:
        page = write(tmp_path / "d" / "a.txt", ARTICLE)
        found = discover([tmp_path / "d", page])
        assert [f.path for f in found.files] == [str(page)]

    def test_exclude_skips_the_output_folder(self, tmp_path: Path) -> None:
        write(tmp_path / "a.txt", ARTICLE)
        write(tmp_path / "out" / "documents.txt", "written by an earlier run")
        assert [f.source for f in discover([tmp_path], exclude=tmp_path / "out").files] == ["a.txt"]

    @pytest.mark.skipif(os.name != "posix", reason="symlinks")
    def test_symlink_loop_fails_and_the_walk_goes_on(self, tmp_path: Path) -> None:
        write(tmp_path / "a" / "story.txt", ARTICLE)
        (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
        (tmp_path / "x.txt").symlink_to(tmp_path / "y.txt")
        (tmp_path / "y.txt").symlink_to(tmp_path / "x.txt")
        (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
        write(tmp_path / "z.txt", ARTICLE)
        found = discover([tmp_path])
        assert [f.source for f in found.files] == ["a/story.txt", "z.txt"]
        reasons = {f.source: f.reason for f in found.failures}
        assert reasons == {
            "a/loop": "symlink loop (links back to an enclosing folder)",
            "gone.txt": "broken symlink (target does not exist)",
            "x.txt": "symlink loop",
            "y.txt": "symlink loop",
        }

    @pytest.mark.skipif(os.name != "posix", reason="symlinks")
    def test_symlinked_folder_is_followed(self, tmp_path: Path) -> None:
        write(tmp_path / "archive" / "2024" / "a.txt", ARTICLE)
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "latest").symlink_to(tmp_path / "archive" / "2024", target_is_directory=True)
        assert [f.source for f in discover([tmp_path / "in"]).files] == ["latest/a.txt"]

    @pytest.mark.skipif(not CAN_CHMOD, reason="root (or non-POSIX) can read files whatever their mode")
    def test_unreadable_file_and_folder_fail_and_the_walk_goes_on(self, tmp_path: Path) -> None:
        locked = write(tmp_path / "locked.txt", ARTICLE)
        write(tmp_path / "private" / "a.txt", ARTICLE)
        write(tmp_path / "public.txt", ARTICLE)
        locked.chmod(0)
        (tmp_path / "private").chmod(0)
        try:
            found = discover([tmp_path])
        finally:
            locked.chmod(0o644)
            (tmp_path / "private").chmod(0o755)
        assert [f.source for f in found.files] == ["public.txt"]
        assert {f.source: f.reason for f in found.failures} == {
            "locked.txt": "permission denied",
            "private": "permission denied",
        }


# -------------------------------------------------------------------------------------------- one-document files


class TestPages:
    @pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
    def test_txt_in_each_encoding_comes_out_right(self, tmp_path: Path, codec: str) -> None:
        (rec,) = read_all(write(tmp_path / "story.txt", ARTICLE.encode(codec)))
        assert rec == RawRecord(id="story.txt", source="story.txt", format="txt", text=ARTICLE, where="story.txt")

    def test_latin1_txt(self, tmp_path: Path) -> None:
        page = "Le président « Müller » a dit à Besançon : £10bn.\n"
        (rec,) = read_all(write(tmp_path / "fr.txt", page.encode("latin-1")))
        assert isinstance(rec, RawRecord)
        assert rec.text == page

    def test_crlf_becomes_lf(self, tmp_path: Path) -> None:
        (rec,) = read_all(write(tmp_path / "a.txt", ARTICLE.replace("\n", "\r\n").encode("cp1252")))
        assert isinstance(rec, RawRecord)
        assert rec.text == ARTICLE

    def test_mojibake_is_repaired_and_recorded(self, tmp_path: Path) -> None:
        broken = ARTICLE.replace("£600m plan", "Â£600m plan").replace("It’s about", "Itâ€™s about")
        (rec,) = read_all(write(tmp_path / "bad.txt", broken))
        assert isinstance(rec, RawRecord)
        assert rec.text == ARTICLE
        assert [(r.line, r.text) for r in rec.repairs] == [(0, broken.split("\n")[0]), (4, broken.split("\n")[4])]
        assert {(r.stage, r.action, r.rule, r.kind) for r in rec.repairs} == {
            ("decode", "replace", "encoding.mojibake_v1", "encoding")
        }

    def test_html_honours_meta_charset_and_keeps_markup(self, tmp_path: Path) -> None:
        (rec,) = read_all(write(tmp_path / "page.htm", HTML.encode("cp1252")))
        assert isinstance(rec, RawRecord)
        assert (rec.id, rec.format, rec.text, rec.html) == ("page.htm", "html", None, HTML)

    def test_gzipped_pages(self, tmp_path: Path) -> None:
        write(tmp_path / "a.txt.gz", gzip.compress(ARTICLE.encode("cp1252")))
        write(tmp_path / "b.html.gz", gzip.compress(HTML.encode()))
        a, b = read_all(tmp_path)
        assert (a.id, a.text, b.id, b.html) == ("a.txt.gz", ARTICLE, "b.html.gz", HTML)

    def test_empty_file_is_an_empty_document(self, tmp_path: Path) -> None:
        assert read_all(write(tmp_path / "empty.txt", b"")) == [
            RawRecord(id="empty.txt", source="empty.txt", format="txt", text="", where="empty.txt")
        ]

    def test_binary_named_txt_fails(self, tmp_path: Path) -> None:
        png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
        assert read_all(write(tmp_path / "photo.txt", png)) == [
            Failure("photo.txt", "photo.txt", "txt", "binary file, not text")
        ]

    def test_truncated_gzip_page_fails(self, tmp_path: Path) -> None:
        data = gzip.compress((ARTICLE * 50).encode())
        (fail,) = read_all(write(tmp_path / "a.txt.gz", data[: len(data) // 2]))
        assert isinstance(fail, Failure)
        assert fail.reason.startswith("truncated gzip")

    def test_gz_that_is_not_gzip_fails(self, tmp_path: Path) -> None:
        (fail,) = read_all(write(tmp_path / "a.txt.gz", ARTICLE))
        assert isinstance(fail, Failure)
        assert fail.reason == "not a gzip file, despite the .gz extension"

    def test_page_over_the_size_limit_fails_without_reading_it(self, tmp_path: Path) -> None:
        write(tmp_path / "big.txt", "x" * 3_000_000)
        write(tmp_path / "big.txt.gz", gzip.compress(b"x" * 3_000_000))
        write(tmp_path / "small.txt", ARTICLE)
        items = read_all(tmp_path, max_doc_bytes=1 << 20)
        assert [str(i) for i in failures(items)] == [
            "big.txt: document is 2.9 MB, over the limit of 1 MB (--max-doc-mb)",
            "big.txt.gz: document is 2.9 MB, over the limit of 1 MB (--max-doc-mb)",
        ]
        assert [r.id for r in records(items)] == ["small.txt"]

    @pytest.mark.skipif(not CAN_CHMOD, reason="root (or non-POSIX) can read files whatever their mode")
    def test_file_made_unreadable_after_planning_fails(self, tmp_path: Path) -> None:
        page = write(tmp_path / "a.txt", ARTICLE)
        (shard,) = plan_shards(discover([tmp_path]).files)
        page.chmod(0)
        try:
            assert [str(i) for i in read_shard(shard)] == ["a.txt: permission denied"]
        finally:
            page.chmod(0o644)

    def test_file_changed_since_planning_fails(self, tmp_path: Path) -> None:
        page = write(tmp_path / "a.txt", ARTICLE)
        (shard,) = plan_shards(discover([tmp_path]).files)
        page.write_text(ARTICLE * 2)
        (fail,) = read_shard(shard)
        assert isinstance(fail, Failure)
        assert fail.reason.startswith("file changed since the run was planned")


# ------------------------------------------------------------------------------------------------------- JSONL


class TestJsonl:
    def test_ids_fields_and_line_numbers(self, tmp_path: Path) -> None:
        lines = [
            json.dumps(news_record(1), ensure_ascii=False),
            "",
            json.dumps({"text": "No id here."}),
            json.dumps({"id": 42, "html": HTML}),
            json.dumps({"id": None, "text": "", "title": "Empty body"}),
        ]
        write(tmp_path / "news.jsonl", "\n".join(lines) + "\n")
        items = read_all(tmp_path / "news.jsonl")
        assert [(r.id, r.text is not None, r.html is not None) for r in records(items)] == [
            ("bbc-00001", True, False),
            ("news.jsonl:3", True, False),
            ("42", False, True),
            ("news.jsonl:5", True, False),
        ]
        first = records(items)[0]
        assert (first.source, first.format, first.url, first.title, first.date) == (
            "news.jsonl",
            "jsonl",
            "https://example.co.uk/news/1",
            "Story 1: Zoë’s café",
            "2024-03-05",
        )
        assert first.author == "Siân O’Connor, José Álvarez"
        assert records(items)[3].text == ""

    def test_broken_line_in_the_middle_fails_alone(self, tmp_path: Path) -> None:
        good = [json.dumps(news_record(i)) for i in range(5)]
        lines = [
            *good[:2],
            '{"id": "x", "text": "unterminated',
            *good[2:3],
            "[1, 2]",
            '{"title": "no body"}',
            *good[3:],
        ]
        write(tmp_path / "feed.jsonl", "\n".join(lines))  # and no newline at the end
        items = read_all(tmp_path / "feed.jsonl")
        assert [r.id for r in records(items)] == ["bbc-00000", "bbc-00001", "bbc-00002", "bbc-00003", "bbc-00004"]
        assert [str(f) for f in failures(items)] == [
            "feed.jsonl:3: invalid JSON (Unterminated string starting at column 21)",
            "feed.jsonl:5: expected a JSON object, got an array",
            "feed.jsonl:6: no text or html",
        ]

    def test_wrong_type_for_text_fails_the_record(self, tmp_path: Path) -> None:
        write(tmp_path / "a.jsonl", '{"text": ["a", "b"]}\n')
        assert [str(f) for f in read_all(tmp_path / "a.jsonl")] == ["a.jsonl:1: `text` is an array, not a string"]

    def test_gzipped_jsonl(self, tmp_path: Path) -> None:
        body = "".join(json.dumps(news_record(i)) + "\n" for i in range(300))
        write(tmp_path / "feed.jsonl.gz", gzip.compress(body.encode()))
        items = read_all(tmp_path / "feed.jsonl.gz")
        assert [r.id for r in items] == [f"bbc-{i:05d}" for i in range(300)]

    def test_truncated_gzip_keeps_the_records_before_the_damage(self, tmp_path: Path) -> None:
        body = "".join(json.dumps({"text": f"Story {i}: {os.urandom(200).hex()}"}) + "\n" for i in range(2000))
        data = gzip.compress(body.encode())
        write(tmp_path / "feed.jsonl.gz", data[: len(data) // 2])
        items = read_all(tmp_path / "feed.jsonl.gz")
        kept = records(items)
        assert 100 < len(kept) < 2000
        assert [r.id for r in kept] == [f"feed.jsonl.gz:{n}" for n in range(1, len(kept) + 1)]
        assert [r.text for r in kept] == [json.loads(line)["text"] for line in body.splitlines()[: len(kept)]]
        assert [str(f) for f in failures(items)] == [
            f"feed.jsonl.gz: truncated gzip after line {len(kept)} (the file is incomplete)"
        ]

    def test_gzip_truncated_inside_the_first_line(self, tmp_path: Path) -> None:
        data = gzip.compress(b'{"text": "a"}\n{"text": "b"}\n')
        assert [str(i) for i in read_all(write(tmp_path / "cut.jsonl.gz", data[:20]))] == [
            "cut.jsonl.gz: truncated gzip before the first complete line (the file is incomplete)"
        ]

    def test_invalid_utf8_and_mojibake_in_a_line(self, tmp_path: Path) -> None:
        write(tmp_path / "a.jsonl", b'{"text": "caf\xe9 \x93ok\x94"}\n{"text": "Fund worth \xc3\x82\xc2\xa3600m"}\n')
        one, two = read_all(tmp_path / "a.jsonl")
        assert one.text == "café “ok”"
        assert two.text == "Fund worth £600m"
        assert [(r.line, r.text) for r in two.repairs] == [(0, "Fund worth Â£600m")]

    def test_lone_surrogate_escape_becomes_a_replacement_character(self, tmp_path: Path) -> None:
        write(tmp_path / "a.jsonl", '{"text": "half \\ud83d pair", "title": "ok \\ud83d\\ude00"}\n')
        (rec,) = read_all(tmp_path / "a.jsonl")
        assert (rec.text, rec.title) == ("half \ufffd pair", "ok 😀")

    def test_utf8_bom_and_utf16_files(self, tmp_path: Path) -> None:
        body = "".join(json.dumps(news_record(i), ensure_ascii=False) + "\r\n" for i in range(3))
        write(tmp_path / "bom.jsonl", body.encode("utf-8-sig"))
        write(tmp_path / "powershell.jsonl", body.encode("utf-16"))
        items = read_all(tmp_path)
        assert [r.source for r in items] == ["bom.jsonl"] * 3 + ["powershell.jsonl"] * 3
        assert [r.title for r in items] == [f"Story {i}: Zoë’s café" for i in range(3)] * 2

    def test_line_over_the_size_limit_fails_alone(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(jsonl, "_CHUNK", 1 << 16)  # drain the long line in many reads
        huge = json.dumps({"id": "huge", "text": "word " * 700_000})
        write(tmp_path / "a.jsonl", "\n".join([json.dumps(news_record(1)), huge, json.dumps(news_record(2))]) + "\n")
        items = read_all(tmp_path / "a.jsonl", max_doc_bytes=1 << 20)
        assert [r.id for r in records(items)] == ["bbc-00001", "bbc-00002"]
        assert [str(f) for f in failures(items)] == [
            "a.jsonl:2: document is 3.3 MB, over the limit of 1 MB (--max-doc-mb)"
        ]

    def test_split_file_reads_exactly_like_one_piece(self, tmp_path: Path) -> None:
        lines = [json.dumps(news_record(i)) for i in range(500)]
        lines[17] = "{broken"
        lines[18] = ""
        lines[250] = json.dumps({"text": "x" * 5000})  # a long line straddling a cut
        path = write(tmp_path / "big.jsonl", "\n".join(lines))  # no final newline
        (f,) = discover([path]).files
        whole = list(read_piece(Piece(f)))
        for target, docs in [(4096, 2000), (1 << 20, 37), (3000, 50), (1, 1)]:
            shards = plan_shards([f], target_bytes=target, max_docs=docs)
            pieces = [p for s in shards for p in s.pieces]
            assert len(pieces) > 1
            assert [p.stop for p in pieces[:-1]] == [p.start for p in pieces[1:]]
            assert pieces[-1].stop is None
            assert [item for p in pieces for item in read_piece(p)] == whole
        assert len(pieces) == 500  # one line a piece when both bounds are tiny
        assert [p.first_line for p in pieces] == list(range(1, 501))
        assert str(whole[17]).startswith("big.jsonl:18: invalid JSON")

    def test_split_file_with_a_utf8_bom(self, tmp_path: Path) -> None:
        body = "".join(json.dumps(news_record(i), ensure_ascii=False) + "\n" for i in range(40))
        (f,) = discover([write(tmp_path / "bom.jsonl", body.encode("utf-8-sig"))]).files
        pieces = [p for s in plan_shards([f], max_docs=7) for p in s.pieces]
        assert len(pieces) == 6
        assert [r.id for p in pieces for r in read_piece(p)] == [f"bbc-{i:05d}" for i in range(40)]

    def test_text_wins_over_html_unless_empty(self, tmp_path: Path) -> None:
        lines = [{"text": "Body", "html": "<p>Page</p>"}, {"text": "", "html": "<p>Page</p>"}, {"text": "", "html": ""}]
        write(tmp_path / "a.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
        assert [(r.text, r.html) for r in read_all(tmp_path / "a.jsonl")] == [
            ("Body", None),
            (None, "<p>Page</p>"),
            ("", None),
        ]

    def test_pieces_respect_the_document_bound(self, tmp_path: Path) -> None:
        path = write(tmp_path / "a.jsonl", "".join(json.dumps({"text": f"s{i}"}) + "\n" for i in range(1000)))
        shards = plan_shards(discover([path]).files, max_docs=300)
        assert [(p.start > 0, p.first_line) for s in shards for p in s.pieces] == [
            (False, 1),
            (True, 301),
            (True, 601),
            (True, 901),
        ]


# ------------------------------------------------------------------------------------------------------ Parquet


def write_parquet(path: Path, rows: list[dict[str, object]], row_group_size: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


class TestParquet:
    def test_with_ids(self, tmp_path: Path) -> None:
        rows = [news_record(i) | {"date": None} for i in range(5)]
        items = read_all(write_parquet(tmp_path / "news.parquet", rows))
        assert [(r.id, r.format, r.author, r.date) for r in items] == [
            (f"bbc-{i:05d}", "parquet", "Siân O’Connor, José Álvarez", None) for i in range(5)
        ]
        assert items[2].text == rows[2]["text"]

    def test_without_ids_rows_are_zero_based(self, tmp_path: Path) -> None:
        rows = [{"text": f"Story {i} – “quoted”", "url": f"https://x/{i}"} for i in range(4)]
        items = read_all(write_parquet(tmp_path / "p.parquet", rows))
        assert [r.id for r in items] == ["p.parquet:0", "p.parquet:1", "p.parquet:2", "p.parquet:3"]

    def test_integer_ids_html_column_and_null_bodies(self, tmp_path: Path) -> None:
        rows = [{"id": 7, "html": HTML}, {"id": 8, "html": None}, {"id": None, "html": "<p>x</p>"}]
        items = read_all(write_parquet(tmp_path / "h.parquet", rows))
        assert [str(i) if isinstance(i, Failure) else (i.id, i.html) for i in items] == [
            ("7", HTML),
            "h.parquet:1: no text or html",
            ("h.parquet:2", "<p>x</p>"),
        ]

    def test_no_text_or_html_column_fails_the_file(self, tmp_path: Path) -> None:
        path = write_parquet(tmp_path / "x.parquet", [{"body": "a", "headline": "b"}])
        assert [str(i) for i in read_all(path)] == ["x.parquet: no text or html column (columns: body, headline)"]

    def test_non_string_text_column_fails_the_file(self, tmp_path: Path) -> None:
        path = write_parquet(tmp_path / "x.parquet", [{"text": 1}, {"text": 2}])
        assert [str(i) for i in read_all(path)] == ["x.parquet: `text` column is int64, not a string"]

    def test_not_parquet_fails_the_file(self, tmp_path: Path) -> None:
        (fail,) = read_all(write(tmp_path / "x.parquet", "not parquet at all"))
        assert isinstance(fail, Failure)
        assert fail.reason.startswith("not a readable Parquet file")

    def test_gzipped_parquet(self, tmp_path: Path) -> None:
        plain = write_parquet(tmp_path / "src" / "p.parquet", [{"text": "Zoë’s £5 café"}])
        write(tmp_path / "in" / "p.parquet.gz", gzip.compress(plain.read_bytes()))
        (rec,) = read_all(tmp_path / "in")
        assert (rec.id, rec.text) == ("p.parquet.gz:0", "Zoë’s £5 café")

    def test_cell_over_the_size_limit_fails_alone(self, tmp_path: Path) -> None:
        rows = [{"text": "short"}, {"text": "é" * 700_000}, {"text": "", "html": "<p>fine</p>"}]
        items = read_all(write_parquet(tmp_path / "p.parquet", rows), max_doc_bytes=1 << 20)
        assert [str(i) if isinstance(i, Failure) else i.id for i in items] == [
            "p.parquet:0",
            "p.parquet:1: document is 1.3 MB, over the limit of 1 MB (--max-doc-mb)",
            "p.parquet:2",
        ]

    def test_row_groups_split_reads_exactly_like_one_piece(self, tmp_path: Path) -> None:
        rows = [{"text": f"Story {i}"} | ({"id": f"id-{i}"} if i % 3 else {"id": None}) for i in range(100)]
        (f,) = discover([write_parquet(tmp_path / "p.parquet", rows, row_group_size=10)]).files
        whole = list(read_piece(Piece(f)))
        pieces = [p for s in plan_shards([f], max_docs=25) for p in s.pieces]
        assert [(p.start, p.stop) for p in pieces] == [(0, 3), (3, 6), (6, 9), (9, None)]
        assert [item for p in pieces for item in read_piece(p)] == whole
        assert [r.id for r in whole[:4]] == ["p.parquet:0", "id-1", "id-2", "p.parquet:3"]

    def test_missing_column_failure_is_reported_once_for_a_split_file(self, tmp_path: Path) -> None:
        path = write_parquet(tmp_path / "x.parquet", [{"body": f"b{i}"} for i in range(40)], row_group_size=10)
        items = [i for s in plan_shards(discover([path]).files, max_docs=10) for i in read_shard(s)]
        assert len(items) == 1


# ------------------------------------------------------------------------------------------------------ shards


class TestShards:
    def make_inputs(self, root: Path) -> list[InputFile]:
        for i in range(30):
            write(root / "pages" / f"{i:03d}.txt", ARTICLE * (1 + i % 4))
        write(root / "feed.jsonl", "".join(json.dumps(news_record(i)) + "\n" for i in range(120)))
        write_parquet(root / "table.parquet", [news_record(i) for i in range(60)], row_group_size=20)
        write(root / "old.jsonl.gz", gzip.compress(b'{"text": "x"}\n' * 10))
        return discover([root]).files

    def test_plan_is_deterministic_and_round_trips_through_json(self, tmp_path: Path) -> None:
        files = self.make_inputs(tmp_path)
        plan = plan_shards(files, target_bytes=8192, max_docs=50)
        assert plan == plan_shards(list(files), target_bytes=8192, max_docs=50)
        assert [s.index for s in plan] == list(range(len(plan)))
        stored = json.loads(json.dumps([s.to_json() for s in plan]))
        assert [Shard.from_json(s) for s in stored] == plan

    def test_every_document_is_read_once_whatever_the_shard_size(self, tmp_path: Path) -> None:
        files = self.make_inputs(tmp_path)
        expected = [item for s in plan_shards(files, target_bytes=1 << 40, max_docs=10**9) for item in read_shard(s)]
        assert len(expected) == 30 + 120 + 60 + 10
        for target, docs in [(8192, 50), (1, 1), (32 << 20, 2000)]:
            plan = plan_shards(files, target_bytes=target, max_docs=docs)
            assert [item for s in plan for item in read_shard(s)] == expected

    def test_small_files_are_grouped_within_both_bounds(self, tmp_path: Path) -> None:
        files = [write(tmp_path / f"{i:04d}.txt", "x" * 100) for i in range(25)]
        found = discover([tmp_path]).files
        assert [len(s.pieces) for s in plan_shards(found, max_docs=10)] == [10, 10, 5]
        assert [len(s.pieces) for s in plan_shards(found, target_bytes=1000)] == [10, 10, 5]
        assert len(files) == 25

    @pytest.mark.skipif(os.name != "posix", reason="byte file names")
    def test_file_name_that_is_not_utf8(self, tmp_path: Path) -> None:
        raw = os.fsencode(tmp_path) + b"/caf\xe9 story.txt"
        with open(raw, "wb") as fh:  # noqa: PTH123 - pathlib cannot create a file from a bytes name
            fh.write(ARTICLE.encode())
        (shard,) = plan_shards(discover([tmp_path]).files)
        assert shard.pieces[0].file.source == "caf\ufffd story.txt"
        stored = json.dumps(shard.to_json(), ensure_ascii=False).encode("utf-8")  # as the manifest writer does
        (rec,) = read_shard(Shard.from_json(json.loads(stored)))
        assert (rec.id, rec.text) == ("caf\ufffd story.txt", ARTICLE)

    def test_compressed_files_are_one_piece(self, tmp_path: Path) -> None:
        write(tmp_path / "a.jsonl.gz", gzip.compress(b'{"text": "x"}\n' * 5000))
        (shard,) = plan_shards(discover([tmp_path]).files, target_bytes=100, max_docs=10)
        assert shard.pieces == (Piece(shard.pieces[0].file),)

    def test_discovery_failures_do_not_reach_the_plan(self, tmp_path: Path) -> None:
        write(tmp_path / "a.txt", ARTICLE)
        found = discover([tmp_path, write(tmp_path.parent / f"{tmp_path.name}-x.doc", b"")])
        assert isinstance(found, Discovery)
        assert [p.file.source for s in plan_shards(found.files) for p in s.pieces] == [f"{tmp_path.name}/a.txt"]
        assert [f.reason.split(" (")[0] for f in found.failures] == ["unknown format"]
