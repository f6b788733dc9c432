"""Every ```python example in seqkit's docstrings runs.

The module, class and function (and method) docstrings of every module
under `seqkit/` are read with `ast` (nothing is imported to find them), and
each fenced ```python block in them is one test case, id
`seqkit/<path>:<qualified name>[<index>]`. A block runs in a fresh
namespace, in the test's temporary folder, in this process.

A block that cannot run on its own says why on its first line, as
`# Not run: <reason>` (a trained run folder, an optional extra), and is
skipped with that reason. Plain ``` blocks (formulas, signatures) are not
Python examples and are not read.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "seqkit"

BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
NOT_RUN = re.compile(r"#\s*Not run:\s*(.+)")
# The module name the examples run under (their classes' `__module__`).
EXAMPLE_MODULE = "__docstring_example__"


def _docstrings(tree):
    """(qualified name, docstring) of the module and every class/function."""
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(
                child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
            ):
                name = f"{prefix}{child.name}"
                doc = ast.get_docstring(child, clean=True)
                if doc:
                    found.append((name, doc))
                visit(child, f"{name}.")

    doc = ast.get_docstring(tree, clean=True)
    if doc:
        found.append(("<module>", doc))
    visit(tree, "")
    return found


def _examples():
    """(id, source) of every ```python block, in file order."""
    examples = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT).as_posix()
        for name, doc in _docstrings(tree):
            for index, source in enumerate(BLOCK.findall(doc)):
                examples.append((f"{where}:{name}[{index}]", source))
    return examples


EXAMPLES = _examples()


def _case(example_id, source):
    marks = []
    first = source.lstrip().splitlines()[0] if source.strip() else ""
    not_run = NOT_RUN.match(first.strip())
    if not_run:
        marks.append(pytest.mark.skip(reason=not_run.group(1).strip()))
    return pytest.param(source, id=example_id, marks=marks)


@pytest.fixture
def forget_example_classes():
    """Forgets the classes an example registered, once it has run.

    Only the example's own classes go: a seqkit module first imported by an
    example keeps its registrations, as it would anywhere else.
    """
    yield
    import keras

    from seqkit.registry import REGISTERED

    REGISTERED[:] = [c for c in REGISTERED if c.__module__ != EXAMPLE_MODULE]
    custom = keras.saving.get_custom_objects()
    for name, obj in list(custom.items()):
        if getattr(obj, "__module__", None) == EXAMPLE_MODULE:
            del custom[name]


@pytest.mark.parametrize("source", [_case(*example) for example in EXAMPLES])
def test_example_runs(
    source, tmp_path, monkeypatch, forget_example_classes, request
):
    monkeypatch.chdir(tmp_path)
    code = compile(source, request.node.callspec.id, "exec")
    exec(code, {"__name__": EXAMPLE_MODULE})


def test_examples_are_found():
    assert len(EXAMPLES) > 40
    ids = [example_id for example_id, _ in EXAMPLES]
    assert len(ids) == len(set(ids)), "two blocks share an id"


def test_every_python_fence_is_read():
    # A fence that is not at the start of a line of the cleaned docstring
    # (a "\n" in a non-raw docstring breaks its indentation) would be
    # silently left out.
    unread = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name, doc in _docstrings(tree):
            if doc.count("```python") != len(BLOCK.findall(doc)):
                unread.append(f"{path.relative_to(ROOT).as_posix()}:{name}")
    assert not unread, unread
