"""The Overview tab: the customer's health (reasons and trend), its fields, where onboarding and seats stand."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QWidget

from tamdesk.services.base import DomainError
from tamdesk.services.customers import CustomerDetail
from tamdesk.services.health import customer_health, health_history
from tamdesk.services.onboarding import Checklist
from tamdesk.views.customer_detail.common import STATE_TONES, form_text, state_text
from tamdesk.views.health_format import BAND_MARKS, BAND_TONES, TrendChart, trend_text
from tamdesk.views.table_model import local_date, local_time
from tamdesk.views.widgets import country_name, set_tone_style

TREND_WEEKS = 12


class OverviewTab(QWidget):
    """The customer's fields and where onboarding and seats stand."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for key, label in (
            ("health", "Health"),
            ("health_reasons", "Why"),
            ("health_trend", "Health trend"),
            ("aliases", "Also known as"),
            ("tam", "TAM"),
            ("time_zone", "Time zone"),
            ("country", "Holiday calendar"),
            ("email_domains", "Email domains"),
            ("sla_policy", "SLA policy"),
            ("seats", "Portal seats"),
            ("onboarding", "Onboarding"),
            ("access_form", "Access form"),
            ("created", "Customer since"),
            ("notes", "Notes"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            if key == "health_trend":
                self.trend_chart = TrendChart()
                row = QHBoxLayout()
                row.setContentsMargins(0, 0, 0, 0)
                row.setSpacing(12)
                row.addWidget(self.trend_chart)
                row.addWidget(value, 1)
                self.form.addRow(f"{label}:", row)
            else:
                self.form.addRow(f"{label}:", value)

    def show_customer(self, detail: CustomerDetail, steps: Checklist, seats_used: int, now: datetime) -> None:
        data = detail.input
        shown = {
            "aliases": "; ".join(detail.aliases) or "No other names (imported tickets match by name and email domain)",
            "tam": data.tam or "No TAM assigned",
            "time_zone": _zone_text(data.time_zone, now),
            "country": f"{country_name(data.country)} ({data.country})" if data.country else "None",
            "email_domains": ", ".join(map(_domain_text, detail.email_domains))
            or "None on record (no domain warnings for seats)",
            "sla_policy": data.sla_policy,
            "seats": f"{seats_used} of {data.seat_allowance} used",
            "onboarding": f"{state_text(steps.state)} — {steps.done} of {steps.total} steps done"
            + (f", started {local_date(steps.started)}" if steps.started else ""),
            "access_form": form_text(detail),
            "created": local_time(detail.created_at),
            "notes": data.notes or "—",
        }
        for key, text in shown.items():
            self.values[key].setText(text)
        tone = STATE_TONES.get(steps.state)
        set_tone_style(self.values["onboarding"], tone)
        self._show_health(detail.id, now)

    def _show_health(self, customer_id: int, now: datetime) -> None:
        """The score with its band and every reason, and the weekly trend (one customer: a few small queries)."""
        label, reasons, trend = self.values["health"], self.values["health_reasons"], self.values["health_trend"]
        try:
            health = customer_health(customer_id, now)
            points = health_history(customer_id, TREND_WEEKS)
        except DomainError as exc:
            label.setText(f"Health could not be computed: {exc}")
            set_tone_style(label, None)
            reasons.setText("—")
            trend.setText("—")
            self.trend_chart.set_points([])
            return
        label.setText(f"{health.score} of 100 · {BAND_MARKS[health.band]} {health.band.label}")
        set_tone_style(label, BAND_TONES[health.band])
        reasons.setText(health.explain())
        self.trend_chart.set_points(points)
        trend.setText(trend_text(points))
        trend.setToolTip("\n".join(f"Week of {p.week:%d %b %Y}: {p.score} ({p.band.label})" for p in points))


def _domain_text(domain: str) -> str:
    """``xn--mller-kva.de`` as the customer writes it: ``müller.de``."""
    try:
        return domain.encode("ascii").decode("idna")
    except UnicodeError:
        return domain


def _zone_text(zone: str, now: datetime) -> str:
    """``Europe/Berlin (15:30 there now)``."""
    try:
        there = now.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as "Asia"
        return zone
    return f"{zone} ({there:%a %H:%M} there now)"
