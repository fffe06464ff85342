"""Bad input on the command line: one ``error:`` line on stderr, exit code 2, never a traceback."""

from __future__ import annotations

import io
import random
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["quantities", "extract"]


def run_cli(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=60
    )


def pdf_without_text() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.rect(100, 100, 200, 300, fill=1)
    page.showPage()
    page.save()
    return buffer.getvalue()


def write_huge(path: Path) -> None:
    with path.open("wb") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: instant, and takes no disk


BAD_FILES = {
    "binary.txt": lambda path: path.write_bytes(random.Random(1).randbytes(8192)),
    "huge.txt": write_huge,
    "soup.txt": lambda path: path.write_bytes(
        b"Revenue \x81\x8d\x8f\x90\x9d was \xff\xfe\xfa \xc3\x28 RMB \xa1\xa1 \x80"
    ),
    "scan.pdf": lambda path: path.write_bytes(pdf_without_text()),
    "image.png": lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(256)),
    "missing.txt": lambda path: None,
}


def assert_one_error_line(result: subprocess.CompletedProcess) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert result.stdout == b""


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_gives_one_error_line_and_exit_2(tmp_path, command, name):
    path = tmp_path / name
    BAD_FILES[name](path)
    assert_one_error_line(run_cli(command, str(path)))


@pytest.mark.parametrize("command", COMMANDS)
def test_binary_on_stdin_gives_one_error_line(command):
    assert_one_error_line(run_cli(command, "-", stdin=random.Random(2).randbytes(4096)))


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("content", [b"", b"  \r\n\t\n"], ids=["empty", "whitespace"])
def test_empty_file_prints_nothing_and_exits_0(tmp_path, command, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    result = run_cli(command, str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


@pytest.mark.parametrize("command", COMMANDS)
def test_empty_stdin_prints_nothing_and_exits_0(command):
    result = run_cli(command, "-")
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")
