"""The dependency rule's own contract (tests/import_contracts.py) finds a cycle, also one
hidden behind an import inside a function, and passes a package without one."""

import sys
import textwrap

import grimp
import pytest

from tests.import_contracts import NoModuleCyclesContract


def build(tmp_path, name: str, files: dict[str, str]):
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, source in files.items():
        (package / f"{module}.py").write_text(textwrap.dedent(source))
    sys.path.insert(0, str(tmp_path))
    try:
        return grimp.build_graph(name, cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))


def check(graph, package: str):
    contract = NoModuleCyclesContract(name="cycles", session_options={}, contract_options={"packages": [package]})
    return contract.check(graph, verbose=False)


@pytest.mark.parametrize(
    "files",
    [
        {"a": "from cyc import b\n", "b": "from cyc import a\n"},
        # The cycle the old code hid: one side imports inside a function.
        {"a": "from cyc import b\n", "b": "def later():\n    from cyc import a\n"},
        {"a": "import cyc.b\n", "b": "import cyc.c\n", "c": "from cyc.a import x\n"},
    ],
)
def test_a_cycle_breaks_the_contract(tmp_path, files):
    result = check(build(tmp_path, "cyc", files), "cyc")
    assert not result.kept
    assert set(result.metadata["cycles"][0]) == {f"cyc.{name}" for name in files}


def test_a_chain_without_a_cycle_keeps_it(tmp_path):
    graph = build(tmp_path, "chain", {"a": "from chain import b\n", "b": "from chain import c\n", "c": "x = 1\n"})
    assert check(graph, "chain").kept


def test_an_import_inside_a_function_says_why():
    """The dependency rule: imports at the top, where the reader and grimp see them; one
    inside a function carries a comment just above it (or above its block) saying why."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    unexplained = []
    for path in sorted([*root.glob("community/**/*.py"), *root.glob("groups/**/*.py")]):
        if "migrations" in path.parts:
            continue
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    above = [line.strip() for line in lines[max(0, inner.lineno - 4) : inner.lineno - 1]]
                    if not any(line.startswith("#") for line in above):
                        unexplained.append(f"{path.relative_to(root)}:{inner.lineno}")
    assert unexplained == []
