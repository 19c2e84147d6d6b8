"""Draws the app's PNG icons from static/citygate/logo.svg with the local Chromium.

Run after changing the logo, then commit the PNGs:

    .venv/bin/python -m citygate.shell.icons

Browsers and phones need raster icons for the web app manifest and the home screen; the
SVG stays the single source. "maskable" icons fill the whole square and keep the mark inside
the central 80 % safe zone, because launchers crop them to circles or rounded squares.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "static" / "citygate"
LOGO = STATIC / "logo.svg"
OUT = STATIC / "icons"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BRAND = "#0b5c6b"

# (file name, size in px, share of the square the mark takes, full-bleed background)
ICONS = (
    ("icon-192.png", 192, 1.0, False),
    ("icon-512.png", 512, 1.0, False),
    ("maskable-192.png", 192, 0.8, True),
    ("maskable-512.png", 512, 0.8, True),
    # iOS rounds the corners itself and shows transparency as black.
    ("apple-touch-icon.png", 180, 0.9, True),
)


def _page(svg: str, size: int, share: float, bleed: bool) -> str:
    mark = round(size * share)
    background = BRAND if bleed else "transparent"
    return (
        "<!doctype html><html><head><style>"
        f"html,body{{margin:0;width:{size}px;height:{size}px;background:{background};}}"
        "body{display:flex;align-items:center;justify-content:center;}"
        f"svg{{width:{mark}px;height:{mark}px;display:block;}}"
        f"</style></head><body>{svg}</body></html>"
    )


def draw_icons() -> list[Path]:
    svg = LOGO.read_text(encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name, size, share, bleed in ICONS:
                page = browser.new_page(viewport={"width": size, "height": size})
                page.set_content(_page(svg, size, share, bleed))
                target = OUT / name
                page.screenshot(path=str(target), omit_background=not bleed)
                page.close()
                written.append(target)
        finally:
            browser.close()
    return written


if __name__ == "__main__":
    for path in draw_icons():
        print(path.relative_to(STATIC.parent.parent.parent))  # noqa: T201
