"""Blocks that print who does what: assignments and reporting."""

from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ....models import PlanBlock, PlanDocument
from .common import HtmlPart, Part, _lead, _list


# --- assignments ---------------------------------------------------------------------------------
def parse_assignments(text: str) -> dict:
    numbering = "a"
    items: list[dict] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.lower().startswith("đánh số:"):
            numbering = line.split(":", 1)[1].strip()
            if numbering not in ("a", "1", ""):
                raise ValidationError(f"Dòng {line_no}: đánh số là 'a', '1' hoặc để trống.")
            continue
        if line.startswith(("- ", "+ ")):
            if not items:
                raise ValidationError(f"Dòng {line_no}: nhiệm vụ phải nằm dưới tên một cơ quan.")
            items[-1]["duties"].append(line[2:].strip())
        else:
            items.append({"body": line.rstrip(":").strip(), "duties": []})
    return {"numbering": numbering, "items": items}


def format_assignments(params: dict) -> str:
    lines = [f"đánh số: {params.get('numbering', 'a')}"]
    for item in params.get("items", []):
        lines.append(item.get("body", ""))
        lines += [f"- {d}" for d in item.get("duties", [])]
    return "\n".join(lines)


def _marker(numbering: str, index: int) -> str:
    if numbering == "a":
        return f"{'abcdefghiklmnopqrstuvxy'[index % 23]}) "
    if numbering == "1":
        return f"{index + 1}. "
    return ""


def render_assignments(block: PlanBlock, document: PlanDocument) -> list[Part]:
    numbering = block.params.get("numbering", "a")
    chunks = []
    for index, item in enumerate(block.params.get("items", [])):
        chunks.append(format_html('<p class="assignee"><strong>{}{}</strong></p>', _marker(numbering, index),
                                  item.get("body", "")))
        chunks.append(_list([format_html("{}", d) for d in item.get("duties", [])]))
    return [*_lead(block), HtmlPart(mark_safe("".join(chunks)))]  # noqa: S308 — built by format_html


# --- reporting -----------------------------------------------------------------------------------
def parse_reporting(text: str) -> dict:
    items = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().removeprefix("- ").strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != 3 or not all(cells):
            raise ValidationError(f"Dòng {line_no}: ghi 'báo cáo gì | gửi ai | thời hạn' "
                                  "(vd: Báo cáo kết quả | UBND thị xã | trước ngày 30/11 hằng năm).")
        items.append({"what": cells[0], "to": cells[1], "by": cells[2]})
    return {"items": items}


def format_reporting(params: dict) -> str:
    return "\n".join(f"{i['what']} | {i['to']} | {i['by']}" for i in params.get("items", []))


def render_reporting(block: PlanBlock, document: PlanDocument) -> list[Part]:
    # The sentence's full stop is printed here: a deadline typed with its own ('… khi có yêu cầu.', or the
    # end mark '/.') would otherwise print two.
    items = [format_html("{}: gửi {} {}.", i["what"], i["to"], i["by"].rstrip(" ./"))
             for i in block.params.get("items", [])]
    return [*_lead(block), HtmlPart(_list(items))]
