"""What every starter reads and returns: the draft, the unit's signer and bases, the dated amounts."""

import datetime
from dataclasses import dataclass, field

from agents.contributions import ContributionError, contribution_terms
from agents.models import Agent
from bhxh_portal.numbers import format_number
from units.models import Membership, Role, Unit
from targets.models import Target, TargetKind

from ...models import Authority, vietnamese_date
from ..selectors import level_word, short_name


@dataclass
class BlockDraft:
    kind: str
    text: str = ""
    params: dict = field(default_factory=dict)


@dataclass
class Draft:
    fields: dict
    blocks: list[BlockDraft]


@dataclass(frozen=True)
class Starter:
    key: str
    label: str
    doc_type: str
    levels: tuple[str, ...]  # unit levels it is meant for
    needs_month: bool
    build: object  # callable(unit, year, month) -> Draft


class StarterError(ValueError):
    """The starter cannot build a draft for this unit (message in Vietnamese)."""


# --- what every starter reads --------------------------------------------------------------------
def _the(unit: Unit) -> str:
    """'xã Hải Dương', 'huyện Càng Long' (as written inside a sentence)."""
    return f"{level_word(unit)} {short_name(unit)}"


def _upper(text: str) -> str:
    return text.upper()


def _ubnd(unit: Unit) -> dict:
    return {
        "parent_body": f"UBND {_upper(unit.parent.name)}" if unit.parent_id else "",
        "issuing_body": f"ỦY BAN NHÂN DÂN\n{_upper(unit.name)}",
        "symbol": "UBND",
    }


def _leader(unit: Unit):
    """The first leader of the unit: (user, name, title hint) — the name without what follows '('."""
    membership = (Membership.objects.filter(unit=unit, role=Role.LEADER).select_related("user")
                  .order_by("pk").first())
    if membership is None:
        return None, "", ""
    user = membership.user
    full = user.get_full_name() or user.username
    name, _, hint = full.partition("(")
    return user, name.strip(), hint.rstrip(")").strip().lower()


def _committee_signature(unit: Unit) -> dict:
    """TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH — or CHỦ TỊCH when the leader is the chair."""
    user, name, hint = _leader(unit)
    chair = "chủ tịch" in hint and "phó" not in hint
    return {
        "sign_on_behalf": "ỦY BAN NHÂN DÂN",
        "sign_authority": "" if chair else Authority.KT,
        "sign_authority_title": "" if chair else "CHỦ TỊCH",
        "signer_title": "CHỦ TỊCH" if chair else "PHÓ CHỦ TỊCH",
        "signer_name": name, "signer": user,
    }


def _issued_on(year: int, month: int | None = None) -> datetime.date | None:
    """Today when the plan is for the current year (the clerk changes it), otherwise left blank."""
    today = datetime.date.today()
    if today.year == year and (month is None or today.month == month):
        return today
    return None


def _decision_bases(unit: Unit, year: int, about: str) -> list[str]:
    """'Thực hiện Quyết định số 324/QĐ-UBND ngày 15 tháng 3 năm 2021 của UBND thị xã về việc ...;'
    for each decision that set the unit's assigned targets of the year."""
    seen, bases = set(), []
    targets = Target.objects.filter(unit=unit, year=year, kind=TargetKind.ASSIGNED, agent__isnull=True).exclude(
        decision_number=""
    ).order_by("decision_date", "pk")
    for target in targets:
        decision = target.decision
        if decision is None or decision.number in seen:
            continue
        seen.add(decision.number)
        issuer = decision.issuer or (f"UBND {level_word(unit.parent)}" if unit.parent_id else "")
        text = f"Thực hiện {decision.document_type} số {decision.number}"
        if decision.date:
            text += f" {vietnamese_date(decision.date)}"
        if issuer:
            text += f" của {issuer}"
        bases.append(f"{text} về việc {about};")
    return bases


NQ28 = ("Nghị quyết số 28-NQ/TW ngày 23 tháng 5 năm 2018 của Hội nghị lần thứ bảy Ban Chấp hành Trung ương "
        "Đảng khóa XII về cải cách chính sách bảo hiểm xã hội")


def _finish_bases(bases: list[str]) -> list[str]:
    if bases:
        bases[-1] = bases[-1].rstrip(";.") + "."
    return bases


def _first_agent_name(unit: Unit) -> str:
    agent = Agent.objects.filter(unit=unit, is_active=True).order_by("name").first()
    return agent.name if agent else f"Đại lý thu BHXH, BHYT {level_word(unit)}"


def _voluntary_terms(day: datetime.date):
    """The dated rule of voluntary BHXH on the day (agents.contributions.contribution_terms): its rate
    (22%), lowest income (the rural poverty line) and highest (20 × lương cơ sở, 20 × mức tham chiếu
    from 1/7/2025); None when the rules have no row for the day."""
    try:
        return contribution_terms(product_code="bhxh_tn", on=day)
    except ContributionError:
        return None


def _money(amount: int | None) -> str:
    return f"{format_number(amount)} đồng" if amount else "…… đồng"
