"""Parser accuracy and speed: the golden corpora scored, seed 004, a generated 200-task .docx.

Run: .venv/bin/python bench/parse.py [--speed-only | --accuracy-only] [--misses]
Accuracy (issue 10): every golden of ../shared/corpus/real and ../shared/corpus scored with
bench/scoring.py, the measure the tests use: per document and in total, task F1, lead, support,
due, recurrence, needs_review, fields, and the overall mean; with the median parse time of each
document. Targets: real corpus >= 95 % overall, no document below 85 %; old corpus >= 99 %.
Speed (issue 3): seed 004 under 50 ms median warm; the 200-task, ~60-page .docx under 1 s;
memory under 150 MB.
"""

from __future__ import annotations

import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from docx import Document

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from bench.scoring import METRICS, Score, goldens, score  # noqa: E402
from tracker.parsing import parse_file  # noqa: E402
from tracker.units.directory import read_directory  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "tests" / "parsing" / "fixtures"
WORDS_PER_PAGE = 500  # A4, 13 pt Times New Roman, the usual notice layout

UNITS = [
    "Ban Dân vận Tỉnh ủy", "Công an tỉnh", "Sở Nội vụ", "Hội Nông dân tỉnh", "Tỉnh Đoàn",
    "Bộ Chỉ huy Quân sự tỉnh", "Ban Tuyên giáo Tỉnh ủy", "Sở Công Thương",
]  # fmt: skip
FILLER = (
    "tổ chức quán triệt, triển khai thực hiện nghiêm túc các chủ trương của Trung ương và của "
    "Tỉnh ủy, bám sát cơ sở, nắm chắc tình hình nhân dân, kịp thời tham mưu giải quyết những "
    "vấn đề bức xúc, nổi cộm phát sinh, bảo đảm đúng quy định và phù hợp với thực tiễn địa "
    "phương, gắn với việc sơ kết, đánh giá, rút kinh nghiệm và nhân rộng các mô hình hiệu quả"
)


def timed(function, repeat: int) -> list[float]:
    """Wall times in milliseconds of `repeat` calls, after two warm-up calls."""
    function()
    function()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 20 else max(times)
    print(
        f"{label:<44} median {statistics.median(times):8.1f} ms   p95 {p95:8.1f} ms"
        f"   (n={len(times)})"
    )


def generate_docx(path: Path, tasks: int = 200) -> int:
    """A long notice: 20 unit groups of 10 tasks with typed numbers; returns its word count."""
    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "TỈNH ỦY QUẢNG NGÃI\nBAN DÂN VẬN\nSố 99-TB/BDVTU"
    table.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM\nQuảng Ngãi, ngày 05 tháng 01 năm 2025"
    for line in ("THÔNG BÁO", "KẾT LUẬN CỦA BAN DÂN VẬN TỈNH ỦY", "về nhiệm vụ trọng tâm năm 2025"):
        document.add_paragraph(line)
    document.add_paragraph("I. KẾT QUẢ NĂM 2024")
    document.add_paragraph(("Các cơ quan đã " + FILLER + ". ") * 6)
    document.add_paragraph("II. NHIỆM VỤ TRỌNG TÂM NĂM 2025")
    words = 0
    for group in range(tasks // 10):
        unit = UNITS[group % len(UNITS)]
        document.add_paragraph(f"{group + 1}. {unit}")
        for item in range(10):
            partner = UNITS[(group + item + 1) % len(UNITS)]
            text = (
                f"{group + 1}.{item + 1}. Chủ trì, phối hợp với {partner} {FILLER}; "
                f"{FILLER}; hoàn thành trước ngày {item + 10}/{group % 12 + 1}."
            )
            document.add_paragraph(text)
            bullet = f"- Báo cáo kết quả về {unit} và Thường trực Tỉnh ủy."
            document.add_paragraph(bullet)
            words += len(text.split()) + len(bullet.split())
    document.add_paragraph("Nơi nhận:")
    document.save(path)
    return words


_HEADS = {"task_f1": "taskF1", "needs_review": "review"}


def accuracy(folder: Path, verbose: bool) -> None:
    """One line per golden of `folder`, then the pooled total."""
    found = goldens(folder) if folder.exists() else []
    if not found:
        print(f"{folder} is absent or has no golden files: skipped")
        return
    columns = [_HEADS.get(m, m) for m in METRICS]
    print(f"{folder.name}: {len(found)} documents")
    heads = "".join(f"{c:>11}" for c in columns)
    print(f"{'doc':<10}{'tasks':>6}{heads}{'overall':>9}{'ms':>8}")
    total = Score()
    for golden in found:
        units = read_directory(golden.units)
        result = parse_file(golden.source, units)
        times = timed(lambda source=golden.source, units=units: parse_file(source, units), 5)
        got = score(golden.expected, result.to_json_dict())
        total = total + got
        figures = "".join(f"{got.figure(m) * 100:11.1f}" for m in METRICS)
        print(
            f"{golden.name:<10}{len(golden.expected['tasks']):>6}{figures}"
            f"{got.overall * 100:9.1f}{statistics.median(times):8.1f}"
        )
        if verbose:
            for miss in got.misses:
                print(f"{'':<10}- {miss}")
    figures = "".join(f"{total.figure(m) * 100:11.1f}" for m in METRICS)
    print(f"{'TOTAL':<10}{total.expected:>6}{figures}{total.overall * 100:9.1f}")
    print()


def main() -> None:
    print(describe())
    print(f"{platform.python_implementation()} {sys.version.split()[0]}, {platform.platform()}")
    print()
    verbose = "--misses" in sys.argv
    if "--speed-only" not in sys.argv:
        accuracy(CORPUS / "real", verbose)
        accuracy(CORPUS, verbose)
    if "--accuracy-only" in sys.argv:
        return
    seed, units_file = CORPUS / "seed-004.txt", CORPUS / "units-demo.yaml"
    if seed.exists() and units_file.exists():
        units = read_directory(units_file)
        tasks = len(parse_file(seed, units).tasks)
        report(f"seed 004 (.txt, {tasks} tasks)", timed(lambda: parse_file(seed, units), 200))
    else:
        units = read_directory(FIXTURES / "units-binh-nguyen.yaml")
        print(f"{seed} is absent: seed 004 skipped")
    own_units = read_directory(FIXTURES / "units-binh-nguyen.yaml")
    notice = FIXTURES / "tb-binh-nguyen-q3.txt"
    tasks = len(parse_file(notice, own_units).tasks)
    report(f"own notice (.txt, {tasks} tasks)", timed(lambda: parse_file(notice, own_units), 200))
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "200-nhiem-vu.docx"
        words = generate_docx(big)
        result = parse_file(big, units)
        print(
            f"generated .docx: {len(result.tasks)} tasks, {words} words "
            f"(~{words // WORDS_PER_PAGE} pages), {big.stat().st_size // 1024} KiB"
        )
        report("generated 200-task .docx", timed(lambda: parse_file(big, units), 10))
        tracemalloc.start()
        parse_file(big, units)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    print()
    print(f"peak Python allocations while parsing the .docx (tracemalloc): {peak / 2**20:.1f} MB")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 2**20 if sys.platform == "darwin" else 2**10  # bytes on macOS, KiB on Linux
    print(f"peak resident set size of this process (ru_maxrss): {maxrss / scale:.1f} MB")


if __name__ == "__main__":
    main()
