"""An import-linter contract of our own: no import cycle between modules.

import-linter's `acyclic_siblings` works on packages. In `groups`, two domains depend on
each other as packages by design (moderation's tables point at posts, and writing a post
hands it to moderation's intake), so for that app the rule is kept per module: no chain
of imports, top-level or inside functions, leads from a module back to itself.
"""

from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


class NoModuleCyclesContract(Contract):
    type_name = "no_module_cycles"

    packages = fields.ListField(subfield=fields.StringField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph, ignore_imports=self.ignore_imports, unmatched_alerting=AlertLevel.ERROR
        )
        prefixes = tuple(self.packages)
        modules = sorted(m for m in graph.modules if m == prefixes or m.startswith(tuple(p + "." for p in prefixes)))
        cycles = [sorted(group) for group in _strongly_connected(modules, graph) if len(group) > 1]
        return ContractCheck(
            kept=not cycles,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"cycles": cycles},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("These modules import each other in a cycle:")
            for module in cycle:
                output.print_error(f"  - {module}")
            output.new_line()


def _strongly_connected(modules: list[str], graph) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the import graph can be deep)."""
    inside = set(modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & inside)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & inside))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups
