"""No import circles: what import-linter's contracts cannot say (issue 19).

The contracts in pyproject.toml (``lint-imports``) keep the layers; these tests keep two kinds of
circle out that layers allow: an app importing ``cityhall.api``, which imports every app's
router, and modules of one app importing each other round in a ring (``intake`` <-> ``services``,
a submodule importing its package's ``__init__``). The graph is grimp's, import-linter's own:
imports inside functions count.
"""

from __future__ import annotations

from collections import deque

import grimp
import pytest

APPS = [
    "core",
    "accounts",
    "geo",
    "notifications",
    "portal",
    "discussions",
    "municipal_services",
    "service_requests",
]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("cityhall", cache_dir=None)


def describe(graph: grimp.ImportGraph, chain: list[str]) -> str:
    """``a -> b (l.12)`` per step, for an assertion message that says where to look."""
    steps = []
    for importer, imported in zip(chain, chain[1:], strict=False):
        details = graph.get_import_details(importer=importer, imported=imported)
        lines = sorted({d["line_number"] for d in details})
        where = ", ".join(f"l.{n}" for n in lines)
        steps.append(f"  {importer} -> {imported}" + (f" ({where})" if where else ""))
    return "\n".join(steps)


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's components with more than one module (each one holds at least one circle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def one_cycle(start: str, component: set[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest circle through ``start`` inside ``component``: start -> ... -> start."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(edges[node] & component):
            if nxt == start:
                back = [node]
                while back[-1] != start:
                    back.append(came_from[back[-1]])
                return [*reversed(back), start]
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return [start]


@pytest.mark.parametrize("app", APPS)
def test_no_circle_through_the_api(graph: grimp.ImportGraph, app: str) -> None:
    """``cityhall.api`` mounts every app's router, so no app may import it back: auth comes from
    ``accounts.api_auth``, the error mapping from ``core.api_errors``."""
    chains = graph.find_shortest_chains(
        importer=f"cityhall.{app}", imported="cityhall.api", as_packages=True
    )
    assert not chains, f"cityhall.{app} imports cityhall.api, which imports it back:\n" + (
        "\n".join(describe(graph, list(chain)) for chain in sorted(chains))
    )


@pytest.mark.parametrize("app", APPS)
def test_no_circle_inside_the_app(graph: grimp.ImportGraph, app: str) -> None:
    """One workflow per module, imported one way: no ring of imports among an app's modules."""
    package = f"cityhall.{app}"
    modules = {package} | graph.find_descendants(package)
    edges = {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}
    circles = []
    for component in strongly_connected(modules, edges):
        start = component[0]
        circles.append(
            f"{len(component)} modules in a ring: {', '.join(component)}\n"
            + describe(graph, one_cycle(start, set(component), edges))
        )
    assert not circles, f"import circles inside {package}:\n" + "\n".join(circles)
