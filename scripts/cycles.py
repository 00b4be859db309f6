#!/usr/bin/env python3
"""File-level dependency cycles inside each crate of the workspace.

A file depends on another when it names an item of that file's module: `use crate::a::b`,
`crate::a::b::f(…)`, `super::x`, `self::…` (outside its inline `#[cfg(test)] mod tests {…}`). A module and the modules it declares (its
children) are one unit of design and may use each other; any other cycle (siblings or cousins
that use each other, through any number of files) is reported, with the edge that closes it.
Exit status 1 when a cycle is found. Usage: scripts/cycles.py [crates/…]
"""

import os
import re
import sys

PATH_RE = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
USE_GROUP_RE = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}\s*;", re.S)


def module_files(src):
    """Maps a module path (tuple) to its file, from lib.rs / main.rs down."""
    modules = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel in (["lib"], ["main"]):
                key = ()
            elif rel[-1] == "mod":
                key = tuple(rel[:-1])
            else:
                key = tuple(rel)
            # Test modules in their own files are part of their parent.
            modules[key] = path
    return modules


def strip_comments(text):
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def resolve(modules, here, head, rest):
    if head == "crate":
        base = ()
    elif head == "super":
        base = here[:-1]
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    else:
        base = here
    path = base + tuple(rest)
    # The longest prefix that is a module file.
    while path and path not in modules:
        path = path[:-1]
    return path


def edges(modules):
    out = {m: set() for m in modules}
    for m, file in modules.items():
        text = strip_comments(open(file, encoding="utf-8").read())
        # A file's inline tests (by convention at its end) are not part of its design.
        cut = re.search(r"#\[cfg\(test\)\]\s*mod \w+\s*\{", text)
        if cut:
            text = text[: cut.start()]
        refs = []
        for g in USE_GROUP_RE.finditer(text):
            prefix = [p for p in g.group(2).split("::") if p]
            for item in re.split(r"[,\s]+", g.group(3)):
                item = item.strip("{} ")
                if item:
                    refs.append((g.group(1), prefix + [p for p in item.split("::") if p]))
        for p in PATH_RE.finditer(text):
            refs.append((p.group(1), [x for x in p.group(2).split("::") if x]))
        for head, rest in refs:
            target = resolve(modules, m, head, rest)
            if target != m:
                out[m].add(target)
    return out


def related(a, b):
    """A module and its ancestors or descendants."""
    return a[: len(b)] == b or b[: len(a)] == a


def cycles(graph):
    # Tarjan's strongly connected components over the edges between unrelated modules.
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if related(v, w):
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return found


def main():
    crates = sys.argv[1:] or sorted(
        os.path.join("crates", c) for c in os.listdir("crates") if os.path.isdir(os.path.join("crates", c, "src"))
    )
    bad = 0
    for crate in crates:
        modules = module_files(os.path.join(crate, "src"))
        graph = edges(modules)
        for comp in cycles(graph):
            bad += 1
            names = sorted(modules[m] for m in comp)
            print(f"cycle: {' <-> '.join(names)}")
    if bad:
        print(f"{bad} file-level cycle(s)")
        return 1
    print("no file-level cycle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
