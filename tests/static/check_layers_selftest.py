#!/usr/bin/python3
"""The layer check fails on each kind of problem and passes a clean tree (fake trees in a temp dir)."""
import os
import subprocess
import sys
import tempfile

CHECK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "check_layers.py")


def tree(files):
    root = tempfile.mkdtemp(prefix="layers.")
    for rel, text in files.items():
        os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
        with open(os.path.join(root, rel), "w") as fh:
            fh.write(text)
    return root


def run(files):
    r = subprocess.run([sys.executable, CHECK, tree(files)], capture_output=True, text=True)
    return r.returncode, r.stdout


CLEAN = {
    "base/b.h": "int b(void);\n",
    "base/b.c": '#include "base/b.h"\nint\nb(void)\n{\n\treturn 0;\n}\n',
    "device/d.h": '#include "base/b.h"\nint d(void);\n',
    "device/d.c": '#include "device/d.h"\nint\nd(void)\n{\n\treturn b();\n}\n',
    "rxtx/rxtx.h": "int r1(void);\n",
    "rxtx/r1.c": '#include "rxtx/rxtx.h"\n#include "device/d.h"\nint\nr1(void)\n{\n\treturn d();\n}\n',
}
failures = 0


def expect(name, files, code, needle):
    global failures
    got, out = run(files)
    ok = got == code and needle in out
    print(f"{'ok' if ok else 'FAIL'}: {name} (exit {got}, expected {code})")
    if not ok:
        print(out)
        failures += 1


expect("clean tree", CLEAN, 0, "cycles=0 violations=0")
expect("upward include", {**CLEAN, "base/b.c": '#include "device/d.h"\n'}, 1,
       "layer 'base' includes a higher layer")
expect("sibling include", {**CLEAN, "transport/pci/p.c": '#include "transport/vhost_user/v.h"\n',
                           "transport/vhost_user/v.h": "\n"}, 1, "includes a sibling")
expect("cycle in a folder", {**CLEAN, "device/e.h": '#include "device/f.h"\n',
                             "device/f.h": '#include "device/e.h"\n'}, 1, "cycle: device/e device/f")
expect("definition away from its declaration",
       {**CLEAN, "device/g.c": '#include "device/d.h"\nint\nd2(void)\n{\n\treturn 1;\n}\n',
        "device/d.h": '#include "base/b.h"\nint d(void);\nint d2(void);\n'}, 1, "d2() is declared in device/d.h")
expect("unknown folder", {**CLEAN, "misc/m.c": "\n"}, 1, "is not a layer")
print(f"check_layers_selftest: {6 - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
