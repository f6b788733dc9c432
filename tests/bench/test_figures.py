"""bench/figures.py: every figure in the docs comes from a cited result."""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name):
    spec = importlib.util.spec_from_file_location(
        name, ROOT / "bench" / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_load("figures_results")  # figures.py imports it as its sibling
figures = _load("figures")


def _repo(tmp_path, readme, results=None, allowed=None, docs=None):
    """A repository with README.md, docs/results/ files and an allow-list."""
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    for name, content in (results or {}).items():
        path = tmp_path / "docs" / "results" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
    for name, text in (docs or {}).items():
        path = tmp_path / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if allowed is not None:
        path = tmp_path / "bench" / "figures_allowed.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(allowed, encoding="utf-8")
    return tmp_path


def _problems(tmp_path, readme, **kwargs):
    found, _ = figures.problems(_repo(tmp_path, readme, **kwargs))
    return found


RUN = {"run.json": {"test": {"accuracy": 0.799373}, "wall_seconds": 2065.9}}


def test_the_repository_passes_as_it_is():
    found, count = figures.problems(ROOT)
    assert found == []
    assert count > 100  # the panel, the sentiment default, the GPU runs


def test_an_invented_figure_fails(tmp_path):
    readme = "It reaches 0.8123 test accuracy (`docs/results/run.json`).\n"
    found = _problems(tmp_path, readme, results=RUN)
    assert found == ["README.md:1: 0.8123: not found in docs/results/run.json"]


def test_a_figure_in_a_cited_results_file_passes(tmp_path):
    readme = "It reaches 0.7994 test accuracy (`docs/results/run.json`).\n"
    assert _problems(tmp_path, readme, results=RUN) == []


@pytest.mark.parametrize(
    "figure, backed",
    [
        ("0.7994", True),
        ("0.799", True),
        ("0.80", True),
        ("79.9", True),
        ("79.94%", True),
        ("80%", True),
        ("0.7995", False),
        ("0.81", False),
        ("79.8", False),
        ("34 min", True),
        ("2,065.9 s", True),
        ("0.57 h", True),
        ("36 min", False),
        ("2,064.9 s", False),
    ],
)
def test_rounding_formats_and_units(tmp_path, figure, backed):
    readme = f"Test accuracy and time: {figure} (`docs/results/run.json`).\n"
    found = _problems(tmp_path, readme, results=RUN)
    assert (found == []) is backed, found


def test_a_figure_without_a_citation_fails(tmp_path):
    found = _problems(tmp_path, "It reaches 0.7994.\n", results=RUN)
    assert found == [
        "README.md:1: 0.7994: its paragraph and sections cite no "
        "docs/results/ file"
    ]


def test_a_section_citation_covers_its_paragraphs_but_not_other_sections(
    tmp_path,
):
    readme = (
        "## Sentiment\n\nFrom `docs/results/run.json`.\n\n"
        "The default reaches 0.7994.\n\n"
        "### Details\n\nStill 0.7994 here.\n\n"
        "## Serving\n\nIt answers 0.7994 of the time.\n"
    )
    found = _problems(tmp_path, readme, results=RUN)
    assert found == [
        "README.md:13: 0.7994: its paragraph and sections cite no "
        "docs/results/ file"
    ]


def test_code_versions_settings_and_bounds_are_not_figures(tmp_path):
    readme = (
        "```bash\nseqkit train --dropout 0.4 --out runs/a   # 0.9321\n```\n\n"
        "    indented code 0.1234\n\n"
        "Run `python bench/x.py --rate 0.55`; `--batch-wait-ms` (2 ms);\n"
        "a `--valid-fraction` (default 0.1) and 0.2 by default.\n"
        "Python 3.11, TensorFlow 2.21, Keras 3.15.1, on 2026-11-28, 28x128\n"
        "canvases, 3x3 convolutions, BiLSTM-128, dropout 0.5, Adam 1e-3,\n"
        "the target >= 0.88 and < -0.5, 10,201 texts in 1.\n\n"
        "## 2.1 A numbered heading\n"
    )
    repo = _repo(tmp_path, readme)
    assert figures.problems(repo) == ([], 0)


def test_an_option_on_the_line_before_its_value_is_still_an_option(
    tmp_path,
):
    readme = "Hold out a `--valid-fraction`\n(default 0.1) of the rows.\n"
    assert figures.problems(_repo(tmp_path, readme)) == ([], 0)


def test_a_unit_needs_a_stored_number_that_names_the_same_quantity(
    tmp_path,
):
    results = {"a.json": {"accuracy": 4.2, "speedup": 11.41, "n": 2}}
    readme = "4.2x, 11.4x, 2% and 11-13x (`docs/results/a.json`).\n"
    found = _problems(tmp_path, readme, results=results)
    # 4.2 is an accuracy, not a ratio; 2 is a count; 13x is not stored.
    assert [line.split(": ")[1] for line in found] == ["4.2x", "2%", "13x"]


def test_a_table_header_lends_its_unit_to_bare_numbers(tmp_path):
    results = {"g.json": {"auto_step_s": 0.03195, "speedup": 11.41}}
    readme = (
        "From `docs/results/g.json`:\n\n"
        "| config | step (ms) | speed-up |\n|---|---|---|\n"
        "| lstm | 31.95 | 11.41x |\n| gru | 32.95 | 12.41x |\n"
    )
    found = _problems(tmp_path, readme, results=results)
    assert [line.split(": ")[1] for line in found] == ["32.95", "12.41x"]


def test_markdown_results_name_numbers_by_their_column(tmp_path):
    table = (
        "| data set | seqkit | seqkit s |\n|---|---|---|\n"
        "| rt | 79.9 | 2065.9 |\n"
    )
    results = {"panel.md": table}
    readme = "79.9 in 34 min, not 79.9 s (`docs/results/panel.md`).\n"
    found = _problems(tmp_path, readme, results=results)
    assert [line.split(": ")[1] for line in found] == ["79.9 s"]


def test_exponents_are_differences_never_percentages(tmp_path):
    results = {"d.json": {"max_output_difference": 0.000233, "step": 0.0229}}
    readme = "Up to 2.3e-4, not 2.29e-4 (`docs/results/d.json`).\n"
    found = _problems(tmp_path, readme, results=results)
    assert [line.split(": ")[1] for line in found] == ["2.29e-4"]


def test_a_cited_folder_covers_its_files_but_not_its_readme(tmp_path):
    results = {
        "gpu/a.json": {"speedup": 9.1},
        "gpu/README.md": "Machine: an H200, 7.38x nothing.\n",
    }
    readme = "9.1x and 7.38x (`docs/results/gpu/`).\n"
    found = _problems(tmp_path, readme, results=results)
    assert [line.split(": ")[1] for line in found] == ["7.38x"]


def test_a_citation_of_a_missing_file_fails(tmp_path):
    readme = "See `docs/results/gone.json` and `docs/results/run.json`.\n"
    found = _problems(tmp_path, readme, results=RUN)
    assert found == [
        "README.md:1: cites docs/results/gone.json, which holds no file"
    ]


def test_docs_are_scanned_but_the_results_files_are_not(tmp_path):
    results = {**RUN, "notes.md": "A note with 0.4242 in it.\n"}
    docs = {"guide/page.md": "# Page\n\nIt reaches 0.5555 somewhere.\n"}
    found = _problems(tmp_path, "Nothing.\n", results=results, docs=docs)
    assert found == [
        "docs/guide/page.md:3: 0.5555: its paragraph and sections cite no "
        "docs/results/ file"
    ]


def test_the_allow_list_excuses_a_figure_and_fails_when_stale(tmp_path):
    allowed = (
        "# FILE | FIGURE | reason\n"
        "README.md | 84 MB | a dependency's size\n"
        "README.md | 12 s | nothing says this any more\n"
    )
    readme = "The extra is 84 MB.\n"
    found = _problems(tmp_path, readme, allowed=allowed)
    assert found == [
        "bench/figures_allowed.txt: 'README.md | 12s' matches no figure"
    ]


def test_a_malformed_allow_list_line_is_an_error(tmp_path):
    repo = _repo(tmp_path, "x\n", allowed="README.md | 84 MB\n")
    with pytest.raises(ValueError, match="FILE \\| FIGURE \\| reason"):
        figures.problems(repo)


def test_main_exits_1_and_lists_each_unbacked_figure(tmp_path, capsys):
    repo = _repo(tmp_path, "4.2x faster.\n\nAnd 0.8123.\n")
    assert figures.main(["--root", str(repo)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0:2] for line in out] == [
        ["README.md:1", "4.2x"],
        ["README.md:3", "0.8123"],
    ]
    assert figures.main(["--root", str(_repo(tmp_path, "No figure.\n"))]) == 0
