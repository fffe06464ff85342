"""Command line: ``python -m metrics extract|quantities FILE``.

Output contracts are in the README (and design §3): one JSON object per line. Bad input prints one
line on stderr and exits with code 2; it never prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from metrics.errors import InputError


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="print the KPI facts of a release, one JSON object per line")
    ext.add_argument("file", help="a .txt, .md, .html or .pdf file, or - for stdin")
    ext.add_argument("--company", help="the issuer, when the text does not say it")
    ext.add_argument("--published", type=_parse_date, help="publication date YYYY-MM-DD")
    qty = sub.add_parser("quantities", help="print every quantity recognised, one JSON object per line")
    qty.add_argument("file", help="a text file, or - for stdin")
    qty.add_argument("--jsonl", action="store_true", help='input lines are {"id": ..., "text": ...}')
    score = sub.add_parser("score", help="precision / recall of extract on the labelled corpus")
    score.add_argument("folder", nargs="?", help="a folder of releases with an expected/ subfolder")
    score.add_argument("-v", "--verbose", action="store_true", help="list missed and spurious facts")
    return parser


def _read_input(name: str):
    from metrics.document import MAX_BYTES, load_document, load_document_bytes

    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"stdin is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
        return load_document_bytes(data, name="stdin")
    return load_document(name)


def _run_extract(args) -> None:
    doc = _read_input(args.file)
    from metrics.extract import extract_facts

    for fact in extract_facts(doc, company=args.company, published=args.published):
        print(json.dumps(fact.to_dict(), ensure_ascii=False))


def _read_jsonl_lines(name: str) -> list[str]:
    """JSONL input is UTF-8 by definition; its texts are used as given, so spans index them exactly."""
    from metrics.document import MAX_BYTES

    if name == "-":
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    else:
        with open(name, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError(f"{name} is larger than the {MAX_BYTES // (1024 * 1024)} MB limit")
    try:
        return data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError as exc:
        raise InputError(f"{name} is not UTF-8 JSONL (byte {exc.start})") from None


def _run_quantities(args) -> None:
    if args.jsonl:
        lines = _read_jsonl_lines(args.file)
        from metrics.quantities import find_quantities

        for line_no, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text = item["text"]
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"line {line_no}: expected a JSON object with 'text'") from exc
            for q in find_quantities(text):
                print(json.dumps({"id": item.get("id"), **q.to_dict()}, ensure_ascii=False))
        return
    doc = _read_input(args.file)
    from metrics.quantities import find_quantities

    for q in find_quantities(doc.text):
        print(json.dumps(q.to_dict(), ensure_ascii=False))


def _run_score(args) -> None:
    from pathlib import Path

    from metrics.score import CORPUS_DIR, format_report, score_corpus

    print(format_report(score_corpus(Path(args.folder) if args.folder else CORPUS_DIR), verbose=args.verbose))


COMMANDS = {"extract": _run_extract, "quantities": _run_quantities, "score": _run_score}


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except BrokenPipeError:
        return 0  # the reader (e.g. `head`) stopped early: not an error
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
