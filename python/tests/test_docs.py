"""The Python programs of the README and docs/native.md run as written."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


@pytest.mark.parametrize("document", ["README.md", "docs/native.md"])
def test_every_python_block_runs(document):
    text = open(os.path.join(ROOT, document), encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks, f"no Python block in {document}"
    for block in blocks:
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{document}:\n{block}\n{result.stderr}"
        assert result.stdout.strip(), f"{document}: the block printed nothing"
