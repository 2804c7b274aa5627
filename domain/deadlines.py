"""Legal deadlines of petitions, counted in working days (weekends and Vietnamese holidays off).

Sources (see DOMAIN.md): Luật Tiếp công dân 42/2013 Art. 28 (status answer in 10 working days),
Luật Khiếu nại 2011 (accept within 10 days, resolve within 30 days of acceptance), Luật Tố cáo
2018 (triage in 7 working days, resolve in 30 days), commune policy for reports and proposals.
The numbers are settings; only the rules are here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a deadline is first computed: the outbox starts without it
    import holidays

PHAN_ANH, KIEN_NGHI, KHIEU_NAI, TO_CAO = "phan_anh", "kien_nghi", "khieu_nai", "to_cao"
KINDS = (PHAN_ANH, KIEN_NGHI, KHIEU_NAI, TO_CAO)


@dataclass(frozen=True)
class DeadlinePolicy:
    """Deadline lengths; defaults from DOMAIN.md's constants."""

    status_answer_workdays: int = 10  # Luật Tiếp công dân Art. 28
    resolve_workdays: int = 15  # phản ánh / kiến nghị, commune policy
    khieu_nai_accept_days: int = 10  # Luật Khiếu nại: thụ lý within 10 days of receipt
    khieu_nai_resolve_days: int = 30  # from acceptance (45 if complex)
    to_cao_triage_workdays: int = 7  # Luật Tố cáo: triage
    to_cao_resolve_days: int = 30  # from acceptance, extendable twice by 30
    remind_workdays_before: int = 2


@dataclass(frozen=True)
class WorkCalendar:
    """Working days of Vietnam: Monday to Friday, minus public holidays (lunar Tết included)."""

    country: str = "VN"

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        import holidays

        return holidays.country_holidays(self.country)

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays

    def add_workdays(self, start: date, count: int) -> date:
        """The `count`-th working day after `start` (start itself not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                count -= 1
        return day

    def workdays_until(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (negative when end is earlier)."""
        if end < start:
            return -self.workdays_until(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))


def first_step_due(kind: str, received: date, policy: DeadlinePolicy, cal: WorkCalendar) -> date:
    """When the first answer is due: status answer, acceptance (thụ lý) or triage."""
    if kind == KHIEU_NAI:
        return received + timedelta(days=policy.khieu_nai_accept_days)
    if kind == TO_CAO:
        return cal.add_workdays(received, policy.to_cao_triage_workdays)
    return cal.add_workdays(received, policy.status_answer_workdays)


def resolve_due(
    kind: str, received: date, accepted: date | None, policy: DeadlinePolicy, cal: WorkCalendar
) -> date | None:
    """When resolution is due; complaints and denunciations count from acceptance."""
    if kind == KHIEU_NAI:
        return accepted + timedelta(days=policy.khieu_nai_resolve_days) if accepted else None
    if kind == TO_CAO:
        return accepted + timedelta(days=policy.to_cao_resolve_days) if accepted else None
    return cal.add_workdays(received, policy.resolve_workdays)
