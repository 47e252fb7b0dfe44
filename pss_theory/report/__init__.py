"""Every sentence a person reads, rendered from Summaries: a check's screen on the terminal, its block
of paper_appendix.md, the report's conclusions and its one-line-per-claim screen.

Each check has a module here, named as the check, that says so in ``CHECK_NAME = "<check>"`` (``PARTS``
finds it: nothing lists it) with what it adds to the
common parts: ``header(summary)`` (default: the check's title), ``text(summary)`` (terminal lines
after the claims), ``appendix(summary)`` (markdown parts after the claims) and ``conclusions(summary)``
(the report's summary block), and the verdict sentences its ``summarize`` stores.  Nothing here
computes a number or imports a check: checks hand over Summaries and, for a header, their title.
"""
from __future__ import annotations

import importlib
import os
import pkgutil

from .claim_tables import claim_line, claims_markdown, claims_text, comparison_markdown, comparison_text


def _discover() -> dict:
    modules = (importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__))
    return {mod.CHECK_NAME: mod for mod in modules if isinstance(getattr(mod, "CHECK_NAME", None), str)}


#: check name -> the module of its own parts (those it lacks are empty): every module here that names its
#: check in ``CHECK_NAME``
PARTS = _discover()


def _part(summary, name: str, default):
    return getattr(PARTS.get(summary.check), name, default)


def _verdict_lines(summary) -> list[str]:
    verdict = summary.get("verdict")
    return verdict if isinstance(verdict, list) else [verdict]


def screen(summary, title: str, out: str, figures: str | None) -> str:
    """A check's terminal output: header, comparison, claims, its own lines, verdict, where it wrote."""
    lines = [_part(summary, "header", lambda s: title)(summary)]
    if summary.get("k_rule"):
        lines.append(summary["k_rule"])
    if summary.get("comparison"):
        lines.append(comparison_text(summary["comparison"]) + "\n")
    if summary.claims:
        lines.append(claims_text(summary.claims))
    lines += _part(summary, "text", lambda s: [])(summary)
    lines.append("\n".join(_verdict_lines(summary)))
    lines.append(f"wrote {out}/summary.json and records.jsonl in {summary.seconds:.1f} s"
                 + (f"; figures in {figures}/" if summary.get("figures") else ""))
    return "\n".join(lines)


def run_line(s) -> str:
    """The run a block's numbers come from: sizes, family, table, seed, device and versions."""
    fam = ", ".join(s["family"])
    k = ("none (not a sketch)" if not s["k"] else str(s["k"][0]) if len(s["k"]) == 1 else
         f"{s['k'][0]}..{s['k'][-1]} ({len(s['k'])} values)")
    table = s["table"]
    tdesc = table.get("kind", "?") if isinstance(table, dict) else str(table)
    if isinstance(table, dict) and table.get("name"):
        tdesc += f" {table['name']}"
    env = s.get("environment", {})
    n = f"{s['n'][0]:,}..{s['n'][-1]:,}" if isinstance(s["n"], list) else f"{s['n']:,}"
    ktext = "" if k is None else f", k = {k}"  # a study without a sketch (E.1) has no k
    return (f"Run: n = {n}, d = {s['d']}{ktext}, family {fam}, table {tdesc}, seed {s['seed']}, "
            f"{env.get('device', s.get('backend'))}; pss-theory {env.get('pss_theory', '?')}, numpy {env.get('numpy', '?')}, "
            f"scipy {env.get('scipy', '?')}.")


def figure_links(figures: list[str], appendix_path: str) -> str:
    base = os.path.dirname(os.path.abspath(appendix_path))
    pngs = [f for f in figures if f.endswith(".png")]
    return "\n\n".join(f"![{os.path.basename(f)}]({os.path.relpath(os.path.abspath(f), base)})" for f in pngs)


def block(s, command: str, appendix_path: str) -> str:
    """A check's appendix block: the command that produced it, the run, the claims, the check's own parts, the verdict."""
    comparison = [comparison_markdown(s["comparison"])] if s.get("comparison") else []
    # a check that makes no claim (the comparison of PSS methods) has no claims table
    parts = [f"Command: `{command}`", run_line(s), *comparison, *([claims_markdown(s.claims)] if s.claims else [])]
    parts += _part(s, "appendix", lambda s: [])(s)
    parts.append("Verdict: " + " ".join(_verdict_lines(s)))
    if s.get("figures"):
        parts.append(figure_links(s["figures"], appendix_path))
    return "\n\n".join(parts)


def conclusions(summaries: list) -> str:
    """What the runs say about the theory: each check's conclusions, read from its Summary."""
    return "\n\n".join(line for s in summaries for line in _part(s, "conclusions", lambda s: [])(s))


def claims_screen(results: list) -> str:
    """The report's screen: each claim of each check, one line, under the check's title.  ``results``:
    (title, Summary) pairs."""
    lines = []
    for title, s in results:
        n = f"{s['n'][0]:,}..{s['n'][-1]:,}" if isinstance(s["n"], list) else f"{s['n']:,}"
        lines.append(f"{title}  (n = {n})")
        if s.get("comparison") and len(s["family"]) > 1:
            lines += ["  " + line for line in comparison_text(s["comparison"]).splitlines()]
        lines += ["  " + claim_line(c, with_family=len(s["family"]) > 1) for c in s.claims]
    return "\n".join(lines)
