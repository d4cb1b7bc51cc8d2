#!/usr/bin/python3
"""check_layers.py DRIVER_DIR: the driver's layers stay one-way (doc/development.md, "The driver's layers").

Reads the #include "..." lines of every .c/.h file under DRIVER_DIR (paths from the driver's root,
else from the including file's folder) and fails (exit 1) when:
  - the include graph has a cycle between units (a unit is a file stem: x.c and x.h are one unit);
  - a file includes a file of a higher layer, or of a sibling folder (transport/pci and
    transport/vhost_user may include transport/ and base/, never each other);
  - a function defined (not static) in x.c is declared in a header other than x.h or its folder's
    interface header (rxtx/rxtx.h, ethdev/ethdev.h: a folder may show one face to the layers
    above), so that who includes whom also says who calls whom.
Prints `units=N folders=N cycles=N violations=N` and each problem on a line of its own.
"""
import os
import re
import sys

# Bottom up; a folder may include its own files and those of folders listed before it, except
# siblings (same rank).
LAYERS = [("base", 0), ("transport", 1), ("transport/pci", 2), ("transport/vhost_user", 2),
          ("device", 3), ("queue", 4), ("rxtx", 5), ("ethdev", 6), ("", 6)]
RANK = dict(LAYERS)

INCLUDE = re.compile(r'\s*#\s*include\s*"([^"]+)"')
# A function definition at column 0: its name followed by '(' on a line after its return type.
DEFINITION = re.compile(r'^([A-Za-z_]\w*)\(')
DECLARATION = re.compile(r'\b([A-Za-z_]\w*)\s*\(')


def layer_of(rel):
    return os.path.dirname(rel)


def files_under(root):
    out = []
    for d, _, names in os.walk(root):
        for n in names:
            if n.endswith((".c", ".h")):
                out.append(os.path.relpath(os.path.join(d, n), root))
    return sorted(out)


def resolve(root, rel, inc):
    for cand in (inc, os.path.join(os.path.dirname(rel), inc)):
        cand = os.path.normpath(cand)
        if os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def unit(rel):
    return os.path.splitext(rel)[0]


def strongly_connected(edges):
    index, low, on_stack, stack, out, counter = {}, {}, set(), [], [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def defined_functions(text):
    """Non-static functions defined in a .c file (the name at column 0, the type on the line above)."""
    lines = strip_comments(text).split("\n")
    names = []
    for i, line in enumerate(lines):
        m = DEFINITION.match(line)
        if not m or i == 0:
            continue
        before = lines[i - 1].strip()
        if not before or before.endswith((";", "}", "{", ")")) or before.startswith("#"):
            continue
        if "static" in before.split() or m.group(1) in ("main",):
            continue
        # a definition has its body after the parameter list
        rest = "\n".join(lines[i:i + 12])
        if re.search(r"\)\s*\{", rest) and not re.search(r"\)\s*;", rest.split("{", 1)[0]):
            names.append(m.group(1))
    return names


def declared_functions(text):
    """Function prototypes in a header (a name then '(' in a statement ending in ');')."""
    names = set()
    # preprocessor lines out first: a prototype right after an #include is still a prototype
    text = re.sub(r"^\s*#[^\n]*", "", strip_comments(text), flags=re.M)
    for stmt in text.split(";"):
        stmt = stmt.strip()
        if not stmt or "{" in stmt or stmt.startswith("#") or "typedef" in stmt:
            continue
        if "static" in stmt.split():
            continue
        m = DECLARATION.search(stmt.split("\n")[-1] if "\n" in stmt else stmt)
        for m in DECLARATION.finditer(stmt):
            if m.group(1) not in ("sizeof", "__attribute__", "__rte_unused", "RTE_STD_C11"):
                names.add(m.group(1))
                break
    return names


def check(root):
    files = files_under(root)
    edges, problems = {}, []
    for rel in files:
        u = unit(rel)
        edges.setdefault(u, set())
        mine = layer_of(rel)
        if mine not in RANK:
            problems.append(f"{rel}: folder '{mine}' is not a layer (add it to check_layers.py and "
                            "doc/development.md)")
            continue
        for line in open(os.path.join(root, rel), errors="replace"):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = resolve(root, rel, m.group(1))
            if target is None:
                continue  # lib/virtq, generated or system headers: not the driver's layers
            if unit(target) != u:
                edges[u].add(unit(target))
            theirs = layer_of(target)
            if theirs == mine or theirs not in RANK:
                continue
            if RANK[theirs] >= RANK[mine]:
                what = "a sibling" if RANK[theirs] == RANK[mine] else "a higher layer"
                problems.append(f"{rel} -> {target} (layer '{mine or '.'}' includes {what}, "
                                f"'{theirs or '.'}')")
    cycles = strongly_connected(edges)
    for c in cycles:
        problems.append("cycle: " + " ".join(c))
    # Definitions live beside their declaration.
    declared_in = {}
    for rel in files:
        if rel.endswith(".h"):
            for name in declared_functions(open(os.path.join(root, rel), errors="replace").read()):
                declared_in.setdefault(name, set()).add(unit(rel))
    for rel in files:
        if not rel.endswith(".c"):
            continue
        for name in defined_functions(open(os.path.join(root, rel), errors="replace").read()):
            homes = declared_in.get(name, set())
            folder = layer_of(rel)
            interface = os.path.join(folder, os.path.basename(folder))
            if homes and unit(rel) not in homes and interface not in homes:
                problems.append(f"{rel}: {name}() is declared in {', '.join(sorted(h + '.h' for h in homes))}, "
                                f"not in {unit(rel)}.h")
    folders = sorted({layer_of(f) for f in files})
    print(f"units={len(edges)} folders={len(folders)} cycles={len(cycles)} "
          f"violations={len(problems) - len(cycles)}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: check_layers.py DRIVER_DIR")
    sys.exit(check(sys.argv[1]))
