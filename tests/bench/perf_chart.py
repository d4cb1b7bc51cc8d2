"""The path table of pmd_compare.py drawn as an SVG chart, written by hand (no plotting library on
the machine): one panel per ring layout, one group of bars per queue size and frame size, a bar of
busy cycles per packet for each of our paths and one for DPDK's best path of the group, each of our
bars labelled with its ratio to DPDK's, and the issue's target (0.7 x DPDK's best) as a dashed line
across the group."""
import math
from xml.sax.saxutils import escape

TARGET = 0.7
BAR_W = 30
BAR_GAP = 6
GROUP_GAP = 46
PLOT_H = 220
LEFT = 64
TOP_PANEL = 80
PANEL_GAP = 96
COLORS = {"scalar": "#9aa5b1", "sse": "#5b8def", "avx2": "#2a9d8f", "avx512": "#7b3fbf", "dpdk": "#e07a1f"}


def _text(x, y, s, size=11, anchor="middle", weight="normal", color="#222"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" fill="{color}">{escape(str(s))}</text>')


def _groups(rows, layout):
    """(queue size, frame) -> rows of our paths, in the order the bench ran them."""
    out = {}
    for r in rows:
        if r["layout"] == layout:
            out.setdefault((r["queue_size"], r["frame"]), []).append(r)
    return out


def _nice_max(v):
    """A round axis maximum at or above v, and its tick step (1, 2, 2.5 or 5 x 10^n, 4 to 8 ticks)."""
    magnitude = 10 ** math.floor(math.log10(max(v, 1) / 5))
    for m in (1, 2, 2.5, 5, 10):
        step = m * magnitude
        if v <= step * 5:
            return step * (math.floor(v / step) + 1), step
    return v * 1.2, v / 5


def svg(rows, meta):
    layouts = [lay for lay in ("split", "packed") if any(r["layout"] == lay for r in rows)]
    panels = [(lay, _groups(rows, lay)) for lay in layouts]
    widest = max((sum(len(g) + 1 for g in groups.values()) * (BAR_W + BAR_GAP) + len(groups) * GROUP_GAP
                  for _, groups in panels), default=200)
    width = max(LEFT + widest + 40, 900)
    height = TOP_PANEL + len(panels) * (PLOT_H + PANEL_GAP) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           _text(LEFT, 20, "Busy cycles per packet, each of our paths beside DPDK's best path "
                 "(lower is better; label: ours / DPDK)", 13, "start", "bold"),
           _text(LEFT, 38, f"pmd_compare, commit {meta.get('commit', '?')}, {meta.get('when', '')}, "
                 f"medians of {meta.get('rounds', '?')} rounds, 1 queue, mrg_rxbuf=0", 11, "start",
                 color="#555"),
           _text(LEFT, 53, f"dashed: the target, {TARGET} x DPDK's best; pale bar, *: the log named "
                 "another path than the one asked for", 11, "start", color="#555")]
    # legend
    x = LEFT
    for name in ("scalar", "sse", "avx2", "avx512", "dpdk"):
        out.append(f'<rect x="{x}" y="61" width="12" height="12" fill="{COLORS[name]}"/>')
        label = "DPDK best" if name == "dpdk" else f"ours {name}"
        out.append(_text(x + 16, 71, label, 11, "start"))
        x += 24 + 7 * len(label)
    for p, (layout, groups) in enumerate(panels):
        top = TOP_PANEL + 20 + p * (PLOT_H + PANEL_GAP)
        bottom = top + PLOT_H
        values = [v for g in groups.values() for r in g
                  for v in (r["ours"]["median_cycles_per_packet"],
                            r["dpdk"]["median_cycles_per_packet"] if r["dpdk"] else None) if v]
        ymax, step = _nice_max(max(values, default=100))

        def y_of(v, bottom=bottom, ymax=ymax):
            return bottom - PLOT_H * min(v, ymax) / ymax

        out.append(_text(LEFT, top - 8, f"{layout} ring", 12, "start", "bold"))
        tick = 0
        while tick <= ymax:
            y = y_of(tick)
            out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#e4e4e4"/>')
            out.append(_text(LEFT - 6, y + 4, f"{tick:g}", 10, "end", color="#555"))
            tick += step
        out.append(f'<line x1="{LEFT}" y1="{bottom}" x2="{width - 20}" y2="{bottom}" stroke="#444"/>')
        out.append(_text(14, (top + bottom) / 2, "cycles/pkt", 10, "middle", color="#555")
                   .replace("<text ", f'<text transform="rotate(-90 14 {(top + bottom) / 2:.1f})" ', 1))
        x = LEFT + GROUP_GAP / 2
        for (queue_size, frame), group in groups.items():
            start = x
            best = group[0]["dpdk"]
            for r in group:
                v = r["ours"]["median_cycles_per_packet"]
                # a run whose log named another path than the one asked for: pale, starred
                taken = r["ours"].get("taken", True)
                if v:
                    out.append(f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{BAR_W}" '
                               f'height="{bottom - y_of(v):.1f}" fill="{COLORS.get(r["path"], "#888")}" '
                               f'fill-opacity="{1 if taken else 0.3}">'
                               f'<title>ours {escape(r["path"])}: {v:.1f} cycles/pkt, '
                               f'{escape(r["ours"].get("confirmed", ""))}</title></rect>')
                    shown = f"{r['ratio']:.2f}" if r["ratio"] is not None else "n/a"
                    good = taken and r["ratio"] is not None and r["ratio"] <= TARGET
                    out.append(_text(x + BAR_W / 2, y_of(v) - 4, shown, 10,
                                     weight="bold" if good else "normal",
                                     color="#1b7f3b" if good else "#222"))
                out.append(_text(x + BAR_W / 2, bottom + 13, r["path"] + ("" if taken else "*"), 9,
                                 color="#444"))
                x += BAR_W + BAR_GAP
            if best and best["median_cycles_per_packet"]:
                v = best["median_cycles_per_packet"]
                out.append(f'<rect x="{x:.1f}" y="{y_of(v):.1f}" width="{BAR_W}" height="{bottom - y_of(v):.1f}" '
                           f'fill="{COLORS["dpdk"]}"><title>DPDK {escape(best["path"])}: {v:.1f} cycles/pkt'
                           f'</title></rect>')
                out.append(_text(x + BAR_W / 2, y_of(v) - 4, f"{v:.0f}", 10))
                out.append(_text(x + BAR_W / 2, bottom + 13, "DPDK", 9, color="#444"))
                y = y_of(TARGET * v)
                out.append(f'<line x1="{start - 4:.1f}" y1="{y:.1f}" x2="{x + BAR_W + 4:.1f}" y2="{y:.1f}" '
                           f'stroke="#c0392b" stroke-width="1.5" stroke-dasharray="5,3"/>')
            x += BAR_W + BAR_GAP
            mid = (start + x - BAR_GAP) / 2
            out.append(_text(mid, bottom + 28, f"queue {queue_size}, {frame} B", 11))
            out.append(_text(mid, bottom + 42, f"DPDK: {best['path']}" if best else "DPDK: no run", 9,
                             color="#666"))
            x += GROUP_GAP
    out.append("</svg>")
    return "\n".join(out) + "\n"
