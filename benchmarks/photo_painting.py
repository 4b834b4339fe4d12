"""Paint public-domain photos with ``paint-gym paint``'s pipeline: PSNR and seconds by photo, stroke count and size.

Every run is the command's own work (:func:`paint_gym.photo.paint_levels` under its default
time budget, then the JSON, SVG, OpenRaster and GIF exports), timed end to end on this machine:
the MyPaint painting's PSNR, the PSNR of the SVG rasterised by cairosvg, the seam band ratio
(MSE within 3 px of the finest tiles' borders over the MSE elsewhere) and the seconds.

Photos: skimage's astronaut and chelsea and matplotlib's grace_hopper (developed on), skimage's
coffee and rocket (held out: never looked at while tuning). All public domain.

    flock /tmp/heavy.lock python benchmarks/photo_painting.py          # ~25 min on a 2-core CPU
    python benchmarks/photo_painting.py --quick --out /tmp/photo_quick   # a tiny trial run
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from common import RESULTS, Section, describe, machine, md_table, read_result, verdict, write_json
from PIL import Image

from paint_gym.photo import paint_levels, psnr
from paint_gym.photo.svg import rasterize_svg

DEVELOPED_ON = ("astronaut", "chelsea", "grace_hopper")
HELD_OUT = ("coffee", "rocket")
STROKES = (500, 1000, 2000, 4000)
SIZES = (256, 512, 1024)
#: The command's time budget (``paint-gym paint --seconds``), replay and exports included.
SECONDS = 100.0
NAME = "photo_painting"
DOCS = Path(__file__).resolve().parent.parent / "docs"


def load(name: str) -> np.ndarray:
    """A public-domain photo by name: uint8 (H, W, 3)."""
    if name == "grace_hopper":
        import matplotlib.cbook

        with Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")) as im:
            return np.asarray(im.convert("RGB"))
    import skimage.data

    return np.asarray(getattr(skimage.data, name)())


def run(name: str, size: int, strokes: int, seconds: float, folder: Path) -> dict[str, Any]:
    """One painting with every export, timed end to end; the images go to ``folder``."""
    t0 = time.perf_counter()
    result = paint_levels(load(name), size, strokes, seconds=seconds, progress=False)
    painted = time.perf_counter() - t0
    painting, image, target = result.painting, result.image, result.target
    stem = folder / f"{name}_{size}_{strokes}"
    painting.save_json(stem.with_suffix(".json"))
    svg = painting.save_svg(stem.with_suffix(".svg"))
    painting.save_ora(stem.with_suffix(".ora"), merged=image)
    painting.save_animation(stem.with_suffix(".gif"), max_side=256)
    total = time.perf_counter() - t0
    raster = rasterize_svg(svg, painting.width, painting.height)
    Image.fromarray(image).save(stem.with_suffix(".png"))
    Image.fromarray(raster).save(stem.parent / f"{stem.name}_svg.png")
    Image.fromarray(target).save(stem.parent / f"{stem.name}_target.png")
    row = {
        "photo": name,
        "held_out": name in HELD_OUT,
        "size": size,
        "width": painting.width,
        "height": painting.height,
        "strokes": len(painting),
        "levels": painting.info["levels"],
        "steps_per_group": painting.info["steps_per_group"],
        "psnr_mypaint": round(psnr(image, target), 3),
        "psnr_svg": round(psnr(raster, target), 3),
        "seam_ratio": painting.info["seam_ratio"],
        "seconds_painting": round(painted, 1),
        "seconds_total": round(total, 1),
    }
    print(
        f"{name} {painting.width}x{painting.height} {len(painting)} strokes: MyPaint {row['psnr_mypaint']:.2f} dB, "
        f"SVG {row['psnr_svg']:.2f} dB, seam {row['seam_ratio']}, {row['seconds_total']:.0f} s",
        flush=True,
    )
    return row


def jobs(quick: bool) -> list[tuple[str, int, int]]:
    """(photo, size, strokes): the five photos at 512 px / 2,000 strokes first, then the sweeps."""
    if quick:
        return [("chelsea", 64, 60), ("coffee", 64, 60)]
    main = [(p, 512, 2000) for p in (*DEVELOPED_ON, *HELD_OUT)]
    sweep = [("astronaut", 512, n) for n in STROKES if n != 2000] + [("astronaut", s, 2000) for s in SIZES if s != 512]
    return main + sweep


def figure(rows: list[dict[str, Any]], folder: Path, out: Path) -> None:
    """Rows of photo | MyPaint painting | SVG rasterisation for the five photos at 512 px."""
    import matplotlib.pyplot as plt

    main = [r for r in rows if r["size"] == 512 and r["strokes"] == 2000]
    if not main:
        return
    fig, axes = plt.subplots(len(main), 3, figsize=(9, 3 * len(main)), squeeze=False)
    for ax_row, r in zip(axes, main, strict=True):
        stem = f"{r['photo']}_{r['size']}_{r['strokes']}"
        titles = ("photo", f"MyPaint, {r['psnr_mypaint']:.1f} dB", f"SVG (cairosvg), {r['psnr_svg']:.1f} dB")
        for ax, suffix, title in zip(ax_row, ("_target.png", ".png", "_svg.png"), titles, strict=True):
            with Image.open(folder / f"{stem}{suffix}") as im:
                ax.imshow(np.asarray(im))
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        ax_row[0].set_ylabel(r["photo"] + (" (held out)" if r["held_out"] else ""), fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def curves(rows: list[dict[str, Any]], out: Path) -> None:
    """PSNR and seconds against strokes (512 px) and against size (2,000 strokes), astronaut."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
    for ax, key, label, pick in (
        (axes[0], "strokes", "strokes (512 px)", lambda r: r["size"] == 512),
        (axes[1], "size", "size, px (2,000 strokes)", lambda r: r["strokes"] == 2000),
    ):
        sel = sorted((r for r in rows if r["photo"] == "astronaut" and pick(r)), key=lambda r: r[key])
        if not sel:
            continue
        x = [r[key] for r in sel]
        ax.plot(x, [r["psnr_mypaint"] for r in sel], "o-", label="PSNR MyPaint (dB)")
        ax.plot(x, [r["psnr_svg"] for r in sel], "s--", label="PSNR SVG (dB)")
        ax.set_xscale("log", base=2)
        ax.set_xlabel(label)
        ax.set_ylabel("dB")
        twin = ax.twinx()
        twin.plot(x, [r["seconds_total"] for r in sel], "^:", color="grey", label="seconds")
        twin.set_ylabel("seconds (total)")
        ax.legend(fontsize=7, loc="lower right")
    fig.suptitle("astronaut: paint-gym paint", fontsize=10)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two tiny paintings (a trial run)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="time budget per painting")
    args = parser.parse_args(argv)
    folder = args.out / NAME
    folder.mkdir(parents=True, exist_ok=True)
    m = machine()
    print(describe(m), flush=True)
    rows: list[dict[str, Any]] = []
    for name, size, strokes in jobs(args.quick):
        rows.append(run(name, size, strokes, args.seconds, folder))
        write_json(NAME, {"machine": m, "seconds_budget": args.seconds, "rows": rows}, args.out)
    curves(rows, args.out / f"{NAME}.png")
    figure(rows, folder, args.out / f"{NAME}_figure.png")
    if not args.quick:
        best = next((r for r in rows if r["photo"] == "astronaut" and r["size"] == 512 and r["strokes"] == 2000), None)
        if best is not None:  # the README's figure and animation
            figure([best], folder, DOCS / "photo.png")
            (DOCS / "photo_painting.gif").write_bytes((folder / "astronaut_512_2000.gif").read_bytes())
    return 0


# ----------------------------------------------------------------------------------------
# README section
# ----------------------------------------------------------------------------------------


def readme_sections(results: Path) -> list[Section]:
    """The photo painting section: targets, per-photo table, strokes and size tables."""
    d = read_result(results, NAME)
    if d is None:
        return [Section("Painting photos", "`photo_painting.py` has not run.", [])]
    rows = d["rows"]
    main = [r for r in rows if r["size"] == 512 and r["strokes"] == 2000]
    table = md_table(
        ["photo", "size (px)", "MyPaint PSNR", "SVG PSNR", "seam band ratio", "seconds (all)"],
        [
            [
                r["photo"] + (" (held out)" if r["held_out"] else ""),
                f"{r['width']}x{r['height']}",
                f"{r['psnr_mypaint']:.2f} dB",
                f"{r['psnr_svg']:.2f} dB",
                "-" if r["seam_ratio"] is None else f"{r['seam_ratio']:.2f}",
                f"{r['seconds_total']:.0f}",
            ]
            for r in main
        ],
    )
    astro = [r for r in rows if r["photo"] == "astronaut"]

    def sweep(key: str, pick: Any) -> str:
        sel = sorted((r for r in astro if pick(r)), key=lambda r: r[key])
        return md_table(
            [key, "MyPaint PSNR", "SVG PSNR", "seconds (all)", "refinement steps per group"],
            [
                [
                    f"{r[key]:,}",
                    f"{r['psnr_mypaint']:.2f} dB",
                    f"{r['psnr_svg']:.2f} dB",
                    f"{r['seconds_total']:.0f}",
                    f"{min(r['steps_per_group'])}-{max(r['steps_per_group'])}",
                ]
                for r in sel
            ],
        )

    md = "\n\n".join(
        [
            f"`python benchmarks/photo_painting.py` ({describe(d['machine'])}; budget "
            f"`--seconds {d['seconds_budget']:.0f}` per painting, the command's default; seconds are end to end: "
            "painting, MyPaint replay, JSON, SVG, OpenRaster and GIF). 2,000 strokes at 512 px (shorter side):",
            table,
            "Astronaut, 512 px, by stroke count (the same time budget):",
            sweep("strokes", lambda r: r["size"] == 512),
            "Astronaut, 2,000 strokes, by size:",
            sweep("size", lambda r: r["strokes"] == 2000),
            f"![PSNR and seconds against strokes and size]({'results/' + NAME + '.png'})",
            f"![photo, MyPaint painting, SVG]({'results/' + NAME + '_figure.png'})",
        ]
    )
    targets = []
    if main:
        mean = float(np.mean([r["psnr_mypaint"] for r in main]))
        worst = min(main, key=lambda r: r["psnr_mypaint"])
        slowest = max(r["seconds_total"] for r in main)
        seams = [r["seam_ratio"] for r in main if r["seam_ratio"] is not None]
        targets = [
            ("photo painting", "PSNR >= 26 dB, mean of the photos", f"{mean:.2f} dB {verdict(mean >= 26)}"),
            (
                "photo painting",
                "PSNR >= 21.5 dB on each photo",
                f"lowest {worst['psnr_mypaint']:.2f} dB ({worst['photo']}) {verdict(worst['psnr_mypaint'] >= 21.5)}",
            ),
            ("photo painting", "<= 120 s per photo, exports included", f"{slowest:.0f} s {verdict(slowest <= 120)}"),
        ]
        if seams:
            targets.append(
                ("photo painting", "seam band ratio <= 1.15", f"highest {max(seams):.2f} {verdict(max(seams) <= 1.15)}")
            )
    return [Section("Painting photos", md, targets)]


if __name__ == "__main__":
    sys.exit(main())
