#!/usr/bin/env python3
"""Prints the folder the installed DPDK's EAL loads driver plugins from by default.

EAL is built with that folder (RTE_EAL_PMD_PATH, Debian: <libdir>/dpdk/pmds-<ABI>) and keeps it in
librte_eal as the string "DPDK_PLUGIN_PATH=<folder>", which DPDK's own dpdk-pmdinfo.py reads to find
the plugins; libdpdk.pc does not name it. We read the same string from the librte_eal.so found in
DPDK's libdir, so the answer is the folder that very EAL will scan, whatever the distribution or ABI.
When the string is absent (an EAL built without a plugin folder) the only <libdir>/dpdk/pmds-* folder
is taken, and anything else is an error naming what was found.

usage: dpdk-plugin-dir.py <DPDK libdir, from pkg-config; may be empty>
"""
import glob
import os
import re
import subprocess
import sys

MARKER = b"DPDK_PLUGIN_PATH="


def eal_library(libdir):
    """The librte_eal shared object: in libdir, else where the dynamic linker finds it."""
    if libdir:
        for name in ("librte_eal.so", *sorted(glob.glob(os.path.join(libdir, "librte_eal.so.*")))):
            path = os.path.join(libdir, name)
            if os.path.exists(path):
                return os.path.realpath(path)
    try:
        cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    match = re.search(r"librte_eal\.so\S* .*=> (\S+)", cache)
    return os.path.realpath(match.group(1)) if match else None


def plugin_dir_from_eal(eal):
    with open(eal, "rb") as f:
        data = f.read()
    at = data.find(MARKER)
    if at < 0:
        return None
    end = data.find(b"\0", at)
    path = data[at + len(MARKER):end].decode()
    return path or None


def main():
    libdir = sys.argv[1] if len(sys.argv) > 1 else ""
    eal = eal_library(libdir)
    if eal is None:
        sys.exit(f"dpdk-plugin-dir: no librte_eal.so in '{libdir}' nor in the linker cache")
    path = plugin_dir_from_eal(eal)
    if path is None:
        found = glob.glob(os.path.join(os.path.dirname(eal), "dpdk", "pmds-*"))
        if len(found) != 1:
            sys.exit(f"dpdk-plugin-dir: {eal} names no plugin folder and {len(found)} "
                     f"pmds-* folders are beside it ({found}); give -Ddpdk_plugin_dir=")
        path = found[0]
    print(path)


if __name__ == "__main__":
    main()
