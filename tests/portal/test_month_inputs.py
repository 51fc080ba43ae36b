"""The month pickers: an <input type="month"> shows the month in the browser's language ("June 2023");
a text field with the YYYY-MM form the pages read (thang=2023-06) is the same everywhere."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_template_uses_a_browser_month_picker():
    templates = [p for p in ROOT.rglob("*.html")
                 if not {".venv", "node_modules", ".git", "staticfiles"} & set(p.relative_to(ROOT).parts)]
    assert templates
    offenders = [str(p.relative_to(ROOT)) for p in templates
                 if 'type="month"' in p.read_text(encoding="utf-8", errors="replace")]
    assert offenders == []
