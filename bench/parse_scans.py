"""Scanned notices and old Word files: seconds per page, peak memory, score vs the text version.

Run: .venv/bin/python bench/parse_scans.py [--dir ../shared/corpus/scans] [--only NAME]
Every NAME.golden.json in the folder is parsed (its NAME.units.yaml as unit directory) in a
fresh child process, so the peak memory is that document's alone: the parser process and
the largest Tesseract / LibreOffice process it started. The text version named by the golden
("scan_of" / "doc_of") is parsed too, and both are scored against their goldens
(bench/scan_score.py: task F1, lead, support, due, recurrence).
Targets (issue 16): under 5 s per page on 2 cores, under 500 MB, at least 90 % of the text
version's score.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402
from bench.scan_score import score  # noqa: E402

SCANS = ROOT.parent / "shared" / "corpus" / "scans"
_KIB = 1024


def parse_in_child(path: Path, units: Path) -> dict:
    """Parse one file in a fresh interpreter; its JSON, wall time and peak memory."""
    code = (
        "import json, resource, sys, time\n"
        "from tracker.parsing import parse_file\n"
        "from tracker.units.directory import read_directory\n"
        "start = time.perf_counter()\n"
        "result = parse_file(sys.argv[1], read_directory(sys.argv[2]))\n"
        "elapsed = time.perf_counter() - start\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "cpu = sum(getattr(resource.getrusage(who), f) for who in"
        " (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ('ru_utime', 'ru_stime'))\n"
        "print(json.dumps({'result': result.to_json_dict(), 'seconds': elapsed, 'cpu': cpu,"
        " 'own_kib': own, 'child_kib': child}, ensure_ascii=False))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path), str(units)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1])
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=SCANS)
    parser.add_argument("--only", default=None, help="only goldens whose name contains this")
    args = parser.parse_args()
    print(describe())
    if not args.dir.exists():
        print(f"{args.dir} is absent: nothing to measure")
        return
    print(
        f"{'file':<24}{'pages':>6}{'s/page':>8}{'cpu/p':>7}{'peak MB':>9}{'conf':>6}"
        f"{'F1':>6}{'lead':>6}{'due':>6}{'score':>7}{'text':>7}{'ratio':>7}"
    )
    ratios, per_page, peaks = [], [], []
    for golden_path in sorted(args.dir.glob("*.golden.json")):
        name = golden_path.name.removesuffix(".golden.json")
        if args.only and args.only not in name:
            continue
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        source = golden_path.with_name(golden["source"])
        units = golden_path.with_name(f"{name}.units.yaml")
        try:
            run = parse_in_child(source, units)
        except RuntimeError as exc:
            print(f"{name:<24} failed: {exc}")
            continue
        result = run["result"]
        pages = result.get("pages") or 1
        peak = max(run["own_kib"], run["child_kib"]) / _KIB
        mine = score(result, golden)
        text_score = None
        reference = golden.get("scan_of") or golden.get("doc_of")
        if "scan_fields" in golden:  # part of a notice: its text version is no yardstick
            reference = None
        if reference:
            text_golden_path = (golden_path.parent / reference).resolve()
            text_golden = json.loads(text_golden_path.read_text(encoding="utf-8"))
            text_source = text_golden_path.with_name(text_golden["source"])
            text_units = text_golden_path.with_name(
                text_golden_path.name.replace(".golden.json", ".units.yaml")
            )
            if not text_units.exists():
                text_units = units
            text_run = parse_in_child(text_source, text_units)
            text_score = score(text_run["result"], text_golden).overall
        ratio = mine.overall / text_score if text_score else None
        if ratio is not None and golden["tasks"]:
            ratios.append(ratio)
        seconds_per_page = run["seconds"] / pages
        cpu_per_page = run["cpu"] / pages  # includes the interpreter's start and imports
        if result.get("ocr"):
            per_page.append((seconds_per_page, cpu_per_page))
        peaks.append(peak)
        print(
            f"{name:<24}{pages:>6}{seconds_per_page:>8.2f}{cpu_per_page:>7.2f}{peak:>9.0f}"
            f"{result.get('ocr_confidence', 0):>6.0f}{mine.f1:>6.2f}{mine.fields['lead']:>6.2f}"
            f"{mine.fields['due']:>6.2f}{mine.overall:>7.2f}"
            f"{(text_score if text_score is not None else float('nan')):>7.2f}"
            f"{(ratio if ratio is not None else float('nan')):>7.2f}"
        )
    if per_page:
        walls, cpus = [w for w, _ in per_page], [c for _, c in per_page]
        print(
            f"OCR seconds per page: wall mean {sum(walls) / len(walls):.2f}, max "
            f"{max(walls):.2f}; CPU mean {sum(cpus) / len(cpus):.2f}, max {max(cpus):.2f}"
        )
    if peaks:
        print(f"peak memory: max {max(peaks):.0f} MB")
    if ratios:
        print(f"score vs text version: mean {sum(ratios) / len(ratios):.1%}, min {min(ratios):.1%}")
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    if load:
        print(f"load average during the run: {' '.join(load)} (the machine is shared)")


if __name__ == "__main__":
    main()
