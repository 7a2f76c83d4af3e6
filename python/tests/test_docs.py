"""The Python programs of the README run as written and print what the
document shows after them ("It prints:" and a text block)."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def assert_prints(expected, actual, what):
    """Same text; each number within one unit of its last printed digit (another CPU's SIMD width
    or BLAS may round the last digit the other way)."""
    assert NUMBER.sub("#", expected) == NUMBER.sub("#", actual), f"{what} printed\n{actual}\nthe document shows\n{expected}"
    for want, got in zip(NUMBER.findall(expected), NUMBER.findall(actual)):
        mantissa, _, exponent = want.upper().partition("E")
        decimals = len(mantissa.partition(".")[2])
        unit = 10.0 ** (int(exponent or 0) - decimals)
        assert abs(float(want) - float(got)) <= unit * 1.000001, f"{what} printed {got} where the document shows {want}"


@pytest.mark.parametrize("document", ["README.md"])
def test_every_python_block_runs_and_prints_what_the_document_shows(document):
    text = open(os.path.join(ROOT, document), encoding="utf-8").read()
    blocks = list(re.finditer(r"```python\n(.*?)```", text, re.S))
    assert blocks, f"no Python block in {document}"
    for match in blocks:
        block = match.group(1)
        result = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{document}:\n{block}\n{result.stderr}"
        printed = re.compile(r"\n+It prints:\n+```text\n(.*?)```", re.S).match(text, match.end())
        assert printed, f"{document}: a Python block is not followed by 'It prints:' and its output"
        assert_prints(printed.group(1), result.stdout, document)
