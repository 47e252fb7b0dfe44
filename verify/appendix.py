"""paper_appendix.md: the measured blocks between markers, rendered from summaries and replaced in place.

A block is ``<!-- measured:NAME -->`` ... ``<!-- /measured -->``.  Markers are checked before any
work starts; text outside the blocks is never changed, and the file is replaced atomically.
"""
from __future__ import annotations

import os
import re

from pss_theory.errors import InputError
from pss_theory.records import write_atomic

from .report import fmt, holds_text

OPEN = re.compile(r"<!-- measured:([A-Za-z0-9_]+) -->")
CLOSE = "<!-- /measured -->"
TOKEN = re.compile(r"<!-- measured:([A-Za-z0-9_]+) -->|<!-- /measured -->")


def blocks(text: str, path: str = "appendix") -> list[tuple[str, int, int]]:
    """(name, start of content, end of content) for each block; InputError on missing or unbalanced markers."""
    out, open_name, open_end = [], None, 0
    for m in TOKEN.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        if m.group(1) is not None:
            if open_name is not None:
                raise InputError(f"{path}:{line}: marker for {m.group(1)!r} opens inside the unclosed block {open_name!r}")
            open_name, open_end = m.group(1), m.end()
        else:
            if open_name is None:
                raise InputError(f"{path}:{line}: {CLOSE} without an opening <!-- measured:NAME --> marker")
            out.append((open_name, open_end, m.start()))
            open_name = None
    if open_name is not None:
        raise InputError(f"{path}: block {open_name!r} is never closed with {CLOSE}")
    names = [b[0] for b in out]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise InputError(f"{path}: block {sorted(dup)[0]!r} appears more than once")
    return out


def check(path: str, needed: list[str]) -> str:
    """Read the appendix and check its markers; return its text."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise InputError(f"appendix {path} not found (pass --appendix PATH)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read appendix {path}: {exc}") from None
    found = {b[0] for b in blocks(text, path)}
    missing = [n for n in needed if n not in found]
    if missing:
        raise InputError(f"{path}: no <!-- measured:{missing[0]} --> ... {CLOSE} block to write into")
    if not os.access(path, os.W_OK):
        raise InputError(f"appendix {path} is not writable")
    return text


def replace(text: str, rendered: dict[str, str], path: str = "appendix") -> str:
    """``text`` with the content of each named block replaced by ``rendered[name]``."""
    out, pos = [], 0
    for name, start, end in blocks(text, path):
        if name in rendered:
            out.append(text[pos:start])
            out.append("\n" + rendered[name].strip("\n") + "\n")
            pos = end
    out.append(text[pos:])
    return "".join(out)


def write(path: str, text: str, rendered: dict[str, str]) -> None:
    write_atomic(path, replace(text, rendered, path))


# ---- rendering (markdown from summaries; no numbers are computed here) ----

def claims_markdown(claims: list[dict]) -> str:
    rows = ["| # | claim | measured | bound | slack | holds |", "|---|---|---|---|---|---|"]
    for i, c in enumerate(claims, 1):
        bound = "inf (vacuous)" if c.get("vacuous") else fmt(c["bound"]) if c["bound"] is not None else "inf"
        slack = fmt(c["slack"]) if c["slack"] is not None else (f"x{fmt(c['ratio'])}" if c.get("ratio") else "-")
        name = c["name"].replace("|", "\\|")
        rows.append(f"| {i} | {name} | {fmt(c['measured'])} | {c.get('relation', '<=')} {bound} | {slack} | "
                    f"{holds_text(c)} |")
    notes = [f"- [{i}] {c['note']}" for i, c in enumerate(claims, 1) if c.get("note")]
    return "\n".join(rows + ([""] + notes if notes else []))


def run_line(s: dict) -> str:
    fam = s["family"] if isinstance(s["family"], str) else ", ".join(s["family"])
    k = s["k"] if not isinstance(s["k"], list) else f"{s['k'][0]}..{s['k'][-1]} ({len(s['k'])} values)"
    table = s["table"]
    tdesc = table.get("kind", "?") if isinstance(table, dict) else str(table)
    if isinstance(table, dict) and table.get("name"):
        tdesc += f" {table['name']}"
    env = s.get("environment", {})
    n = f"{s['n'][0]:,}..{s['n'][-1]:,}" if isinstance(s["n"], list) else f"{s['n']:,}"
    return (f"Run: n = {n}, d = {s['d']}, k = {k}, family {fam}, table {tdesc}, seed {s['seed']}, "
            f"{env.get('device', s.get('backend'))}; pss-theory {env.get('pss_theory', '?')}, numpy {env.get('numpy', '?')}, "
            f"scipy {env.get('scipy', '?')}.")


def figure_links(figures: list[str], appendix_path: str) -> str:
    base = os.path.dirname(os.path.abspath(appendix_path))
    pngs = [f for f in figures if f.endswith(".png")]
    return "\n\n".join(f"![{os.path.basename(f)}]({os.path.relpath(os.path.abspath(f), base)})" for f in pngs)


def render_theorem(s: dict, command: str, appendix_path: str, extra: list[str] = ()) -> str:
    parts = [f"Command: `{command}`", run_line(s), claims_markdown(s["claims"])]
    parts += list(extra)
    verdict = s.get("verdict")
    parts.append("Verdict: " + (" ".join(verdict) if isinstance(verdict, list) else str(verdict)))
    if s.get("figures"):
        parts.append(figure_links(s["figures"], appendix_path))
    return "\n\n".join(parts)


def render_summary(summaries: dict[str, dict]) -> str:
    """What the runs say about the theory: verdicts, fits and empirical laws, all read from summaries."""
    lines = []
    t6 = summaries.get("theorem6")
    if t6:
        lines.append("**Theorem 6.** " + " ".join(t6["verdict"]))
        for fam, fit in (t6.get("fit") or {}).items():
            if fit.get("a") is not None:
                lines.append(f"- {fam}: eps_macro ~ C (d/k)^a with a = {fit['a']:.3f} (95% CI {fit['a_lo']:.3f} to "
                             f"{fit['a_hi']:.3f}), C = {fit['C']:.3f} ({fit['C_lo']:.3f} to {fit['C_hi']:.3f}); the "
                             "Marchenko-Pastur law for Gaussian S is a = 1/2, C = 1.")
    t7 = summaries.get("theorem7")
    if t7:
        st, th = t7["stats"], t7["theory"]
        lines.append("**Theorem 7.** " + t7["verdict"])
        if st.get("eta_pred"):
            lines.append(f"- Empirical law: RMS eta_i = {st['eta_rms']:.4g} against sqrt(srank/k) = {st['eta_pred']:.4g} "
                         f"(ratio {st['eta_rms'] / st['eta_pred']:.3f}); mean eta_i = {st['eta_mean']:.4g}; coefficient "
                         f"of variation of eta_i across rows {st['eta_cv']:.3g}. The per-row error is governed by the "
                         "stable rank of E and k, not by the 9^d + n of the theorem.")
        if th.get("theorem7_k") is not None:
            def verdict_k(k):
                return "more than n: no compression allowed" if k > t7["n"] else "below n"
            lines.append(f"- The statement needs k >= {fmt(th['theorem7_k'])} ({verdict_k(th['theorem7_k'])}) for "
                         f"eps = {t7['eps']:g}, rho = {t7['rho']:g}; with Part A's factor 2, k >= "
                         f"{fmt(th['theorem7_k_proof'])} ({verdict_k(th['theorem7_k_proof'])}); n = {t7['n']:,} rows.")
        if st.get("c_i"):
            g = th.get("eps_jlt")
            gtext = "vacuous (no eps < 1 is certified)" if g is None else fmt(g)
            lines.append(f"- Part A's cross term: max ||c_i|| = {st['c_i']['max']:.4g}; eps_JLT(k) for f = 9^d + n is "
                         f"{gtext}.")
    t4 = summaries.get("theorem4")
    if t4:
        st = t4["stats"]
        lines.append("**Theorem 4.** " + t4["verdict"])
        if st["pair_ratio"]["p50"] is not None:
            lines.append(f"- Tightness of the per-row bound eps_i eps_j + eps_i + eps_j: median ratio "
                         f"{st['pair_ratio']['p50']:.3g}, p99 {st['pair_ratio']['p99']:.3g}, max {st['pair_ratio']['max']:.3g}.")
    tt = summaries.get("robez_timing")
    if tt:
        held = sum(1 for c in tt["claims"] if c["holds"])
        lines.append(f"**E.1 timing.** {held} of {len(tt['claims'])} observations of section E.1 hold on "
                     f"{tt.get('environment', {}).get('device', tt.get('backend'))}.")
    return "\n\n".join(lines)
