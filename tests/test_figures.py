"""Every figure, drawn from real (small) runs, checked for its layout with the renderer: no legend over
the data, a note, a title or a tick label; no two texts on top of each other; every line a legend
names visible in its axes; decimal tick labels; and what each figure promises to draw (thresholds,
the paper's bounds and numbers, compression n / k, the table's name)."""
import math
import types

import matplotlib
import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer
from matplotlib.lines import Line2D

from pss_theory import checks, families
from pss_theory import figures as plots
from pss_theory.e1 import paper

SKETCHES = list(families.SKETCHES)


def _all_axes(fig):
    return [each for ax in fig.axes for each in (ax, *ax.child_axes)]


def _drawn_texts(fig):
    """(what, Text) of every non-empty text drawn: tick labels of ticks in view, axis labels, titles, notes."""
    out = []
    for ax in _all_axes(fig):
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for ticks, locs in ((axis.get_major_ticks(), axis.get_majorticklocs()),
                                (axis.get_minor_ticks(), axis.get_minorticklocs())):
                for tick, loc in zip(ticks, locs):
                    if lo * (1 - 1e-9) - 1e-12 <= loc <= hi * (1 + 1e-9) + 1e-12:
                        out += [("tick label", t) for t in (tick.label1, tick.label2) if t.get_visible() and t.get_text()]
            if axis.label.get_visible() and axis.label.get_text():
                out.append(("axis label", axis.label))
        out += [("title", t) for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
        out += [("axes text", t) for t in ax.texts if t.get_visible() and t.get_text()]
    out += [("suptitle" if t is fig._suptitle else "figure text", t) for t in fig.texts
            if t.get_visible() and t.get_text()]
    return out


def _segment_visible(points: np.ndarray, box) -> bool:
    """Whether the polyline through ``points`` (display coordinates) passes through ``box``."""
    for a, b in zip(points[:-1], points[1:]):
        for t in np.linspace(0, 1, 64):
            x, y = a + t * (b - a)
            if box.x0 + 1 < x < box.x1 - 1 and box.y0 + 1 < y < box.y1 - 1:
                return True
    return False


def _line_visible(line: Line2D) -> bool:
    ax = line.axes
    pts = line.get_transform().transform(line.get_xydata())
    pts = pts[np.isfinite(pts).all(axis=1)]
    box = ax.get_window_extent()
    inside = [p for p in pts if box.x0 - 1 <= p[0] <= box.x1 + 1 and box.y0 - 1 <= p[1] <= box.y1 + 1]
    if inside and line.get_marker() not in (None, "", "None", " "):
        return True
    return len(pts) >= 2 and line.get_linestyle() not in ("None", "", " ") and _segment_visible(pts, box)


def layout_problems(fig) -> list[str]:
    """What is wrong with a figure's layout, drawn as it is saved (empty: nothing)."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    legends = list(fig.legends) + [ax.get_legend() for ax in _all_axes(fig) if ax.get_legend()]
    texts = [(what, t.get_text(), t.get_window_extent(r).shrunk(0.98, 0.9)) for what, t in _drawn_texts(fig)]
    axes_boxes = [(f"axes {ax.get_title() or ax.get_ylabel() or ax.get_label()!r}", ax.get_window_extent(r))
                  for ax in fig.axes]
    problems = []
    for i, (w1, t1, b1) in enumerate(texts):
        for w2, t2, b2 in texts[i + 1:]:
            if b1.overlaps(b2):
                problems.append(f"{w1} {t1!r} overlaps {w2} {t2!r}")
        if w1 == "figure text":
            problems += [f"{w1} {t1!r} overlaps {name}" for name, box in axes_boxes if b1.overlaps(box)]
        if "$" in t1:
            problems.append(f"{w1} {t1!r} is not a decimal label")
    for lg in legends:
        box = lg.get_window_extent(r)
        problems += [f"the legend overlaps {w} {t!r}" for w, t, b in texts if box.overlaps(b)]
        problems += [f"the legend overlaps {name}" for name, b in axes_boxes if box.overlaps(b)]
        problems += ["two legends overlap" for other in legends if other is not lg and box.overlaps(other.get_window_extent(r))]
        for handle, label in zip(lg.legend_handles, [t.get_text() for t in lg.get_texts()]):
            source = handle
            for ax in fig.axes:  # the legend keeps copies: find the artist it stands for
                for artist in [*ax.lines, *ax.containers]:
                    if artist.get_label() == label:
                        source = artist
            if isinstance(source, ErrorbarContainer):
                source = source.lines[0]
            if isinstance(source, Line2D) and source.axes is not None and not _line_visible(source):
                problems.append(f"the legend names {label!r}, which is not visible in its axes")
    return problems


@pytest.fixture
def drawn(monkeypatch):
    """Every figure the test draws, checked by ``layout_problems`` where it would be saved (the files are
    not written: saving is the report's test)."""
    figures = {}

    def checked(fig, stem):
        figures[stem.rsplit("/", 1)[-1]] = (fig, layout_problems(fig))
        matplotlib.pyplot.close(fig)
        return [f"{stem}.png", f"{stem}.svg"]

    for module in vars(plots).values():  # each figure module's own name for layout.save
        if isinstance(module, types.ModuleType) and hasattr(module, "save"):
            monkeypatch.setattr(module, "save", checked)
    return figures


def draw(name, folder, **options):
    check = checks.get(name)
    plan = check.plan(check.options(**options))
    summary, records = checks.run(check, plan)
    return summary, plots.draw(name, summary, records, str(folder))


def assert_laid_out(figures):
    for name, (_, problems) in figures.items():
        assert not problems, f"{name}: " + "; ".join(problems)


def test_theorem6_figures_with_every_family(drawn, tmp_path):
    summary, paths = draw("theorem6", tmp_path, table="zipf", n=1200, d=4, family="all", sweep=True, k_points=3,
                          trials=3, eps=0.5)
    assert len(paths) == 4
    assert_laid_out(drawn)
    fig, _ = drawn["theorem6_eps_vs_k"]
    ax = fig.axes[0]
    assert [c.get_xlabel() for c in ax.child_axes] == ["compression n / k"]
    # every family is drawn with a marker of its own, so lines on top of one another stay apart
    markers = {c.lines[0].get_marker() for c in ax.containers}
    assert len(markers) == len(SKETCHES)
    assert "table zipf" in " ".join(t.get_text() for t in fig.texts)


def test_a_vacuous_bound_is_a_visible_note(drawn, tmp_path):
    draw("theorem6", tmp_path, table="gaussian", n=600, d=4, family="countsketch,srht", sweep=True, k_points=2,
         trials=2, eps=0.05)
    assert_laid_out(drawn)
    fig, _ = drawn["theorem6_eps_vs_k"]
    notes = [t for t in fig.texts if "vacuous" in t.get_text()]
    assert notes and notes[0].get_color() == "firebrick"


@pytest.mark.parametrize("family", ["gaussian", "robez"])
def test_theorem7_figures_draw_the_thresholds(drawn, tmp_path, family):
    E = np.random.default_rng(0).standard_normal((2000, 6)) * (np.arange(2000) + 1.0)[:, None] ** -0.5
    np.save(tmp_path / "mine.npy", E)
    summary, _ = draw("theorem7", tmp_path, table=str(tmp_path / "mine.npy"), family=family, k=48, eps=0.5,
                      rho=0.9, coherence_pairs=2000)
    assert summary.stats[family]["rho_i"]["max"] < 0.9
    assert_laid_out(drawn)
    fig, _ = drawn["theorem7_eps_vs_rho"]
    ax = fig.axes[0]
    ys = {tuple(line.get_ydata()) for line in ax.lines}
    xs = {tuple(line.get_xdata()) for line in ax.lines}
    assert (0.5, 0.5) in ys and (0.9, 0.9) in xs  # the theorem's eps and rho, rho beyond every row
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "no row has rho_i >= rho" in notes and "table mine.npy" in notes


def test_theorem4_figure_draws_eps_squared_plus_two_eps(drawn, tmp_path):
    draw("theorem4", tmp_path, table="zipf", n=3000, d=6, k=48, pairs=5000, top=30, rho=0.01, eps=0.3)
    assert_laid_out(drawn)
    fig, _ = drawn["theorem4_pairs"]
    assert fig.axes[0].get_title() == "Theorem 4: pair error pi_ij"
    assert any(tuple(line.get_xdata()) == (0.3**2 + 0.6,) * 2 for line in fig.axes[0].lines)


def test_e1_figures_show_the_paper_s_numbers(drawn, tmp_path):
    summary, _ = draw("robez_timing", tmp_path, smoke=True)
    assert_laid_out(drawn)
    fig, _ = drawn["robez_timing_vs_n"]
    grid = summary["grid"]
    forward_dense = fig.axes[0]
    assert forward_dense.get_title() == "forward, dense gradients"
    ours_n = {p: n for n, p in zip(grid["n"], grid["paper_n"])}
    expected = {(ours_n[p], paper.paper_value(5, ("forward", "dense"), p)) for p in grid["paper_n"]
                if paper.paper_value(5, ("forward", "dense"), p) is not None}
    drawn_points = {(x, y) for line in forward_dense.lines for x, y in zip(line.get_xdata(), line.get_ydata())}
    assert expected and expected <= drawn_points


def test_compare_figure_has_a_line_per_method_and_marks_the_paper_s_10000x(drawn, tmp_path):
    summary, _ = draw("compare", tmp_path, n=3000, d=8, compression=[5, 50, 5000], method=["hashing:signed:fit=lsq",
                      "pq", "svd"], pairs=500, top=20)
    assert_laid_out(drawn)
    fig, _ = drawn["compare_distortion"]
    for ax in fig.axes[:2]:
        labels = [line.get_label() for line in ax.lines if not line.get_label().startswith("_")]
        assert labels == summary["method"]
        assert any(tuple(line.get_xdata()) == (10_000, 10_000) for line in ax.lines)
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "n/a at 5000x" in notes and "svd" in notes  # svd reaches about d = 8x


@pytest.mark.parametrize("value, text", [(0.6, "0.6"), (20, "20"), (0.05, "0.05"), (1e-5, "1e-05")])
def test_decimal_tick_labels(value, text):
    fig, ax = matplotlib.pyplot.subplots()
    ax.set_xscale("log")
    ax.set_xlim(value / 3, value * 3)
    plots.decimal_ticks(ax)
    assert ax.xaxis.get_major_formatter()(value, 0) == text or ax.xaxis.get_minor_formatter()(value, 0) == text
    matplotlib.pyplot.close(fig)
    assert math.isfinite(value)


def test_each_family_has_its_own_colour_and_marker_by_its_place_in_the_registry():
    from pss_theory import families
    from pss_theory.figures.layout import style

    looks = [style(name) for name in families.ALL]
    assert [s["color"] for s in looks] == [f"C{i}" for i in range(len(families.ALL))]
    assert len({(s["color"], s["marker"]) for s in looks}) == len(looks)
