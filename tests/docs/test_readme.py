"""The README's Python examples run as written (each complete program in a subprocess)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
PROGRAMS = [b for b in BLOCKS if "asyncio.run(main())" in b]


def test_readme_has_runnable_examples():
    assert len(PROGRAMS) >= 2


@pytest.mark.parametrize("program", PROGRAMS, ids=[f"example{i}" for i in range(len(PROGRAMS))])
def test_readme_example_runs(program, tmp_path):
    script = tmp_path / "example.py"
    script.write_text(program)
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip(), "the example printed nothing"
    assert "Warning" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-3000:]
