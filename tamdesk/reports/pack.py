"""The monthly pack: every workbook of a period written to one folder, and optionally emailed.

All or nothing. The workbooks are written (each atomically, as every export is) into a hidden staging folder
inside the target folder, so the final rename stays on one file system; only once all of them are written, and
sent when recipients were given, are they renamed into place. A missing or read-only folder, a failed export, an
SMTP failure or a cancel removes the staging folder and leaves the target folder as it was, including any pack of
the same period written before.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from tamdesk.reports.defects import export_defect_report
from tamdesk.reports.escalations import export_escalation_log
from tamdesk.reports.onboarding import export_onboarding
from tamdesk.reports.seats import export_seat_roster
from tamdesk.reports.sla import export_sla_report
from tamdesk.reports.xlsx import ExportCancelled
from tamdesk.secrets import SecretPrompt, SecretStore
from tamdesk.services.base import Context
from tamdesk.services.email import EmailError, SmtpSettings, send_email
from tamdesk.services.private_files import STALE_AFTER
from tamdesk.services.report_data import Cancelled, Progress, ReportScope, scaled_progress
from tamdesk.services.report_pack import PackError, PackPeriod, pack_email

STAGING = re.compile(r"\.tamdesk-pack-[0-9a-f]{8}\.tmp")
_SCALE = 1000


def _with_progress(export: Callable[..., object]) -> Callable[[Path, ReportScope, Context, Progress | None], object]:
    def run(path: Path, scope: ReportScope, ctx: Context, progress: Progress | None) -> object:
        return export(path, scope, ctx=ctx, progress=progress)

    return run


def _plain(export: Callable[..., object]) -> Callable[[Path, ReportScope, Context, Progress | None], object]:
    def run(path: Path, scope: ReportScope, ctx: Context, progress: Progress | None) -> object:
        return export(path, ctx=ctx, scope=scope)

    return run


# (file kind, what the summary calls it, how to write it)
WORKBOOKS = (
    ("sla", "SLA", _with_progress(export_sla_report)),
    ("defects", "defects", _with_progress(export_defect_report)),
    ("escalations", "escalations", _with_progress(export_escalation_log)),
    ("seats", "seat roster", _plain(export_seat_roster)),
    ("onboarding", "onboarding status", _plain(export_onboarding)),
)


@dataclass(frozen=True)
class PackResult:
    """What a pack run wrote and to whom it went."""

    period: PackPeriod
    folder: Path
    files: tuple[Path, ...]
    sent_to: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line: the period, the folder, the files and the recipients."""
        names = ", ".join(path.name for path in self.files)
        sent = f"; sent to {', '.join(self.sent_to)}" if self.sent_to else ""
        written = f"{len(self.files)} workbooks written to {self.folder}"
        return f"Report pack for {self.period.title}: {written} ({names}){sent}."


def write_pack(
    ctx: Context,
    period: PackPeriod,
    folder: str | Path,
    *,
    tz: tzinfo,
    recipients: Sequence[str] = (),
    smtp: SmtpSettings | None = None,
    secret_store: SecretStore | None = None,
    prompt: SecretPrompt | None = None,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> PackResult:
    """Write every workbook of ``period`` into ``folder`` and, with ``recipients``, send them through ``smtp``.

    Raises:
        PackError: the folder is missing or not writable, or SMTP is not set up; nothing was written.
        ExportError, EmailError: a workbook could not be written, or sending failed; nothing was written.
        ExportCancelled: ``cancelled`` returned True; nothing was written.
    """
    target = Path(folder)
    if recipients and (smtp is None or not smtp.host):
        raise PackError("No SMTP server is set up to send the pack: enter one in Settings > Email.")
    staging = _staging_folder(target)
    try:
        written = _write_all(ctx, period, staging, tz, progress, cancelled)
        if cancelled is not None and cancelled():
            raise ExportCancelled("The report pack was cancelled; nothing was written or sent.")
        if recipients:
            assert smtp is not None
            message = pack_email(period, written, recipients, ctx.actor)
            try:
                send_email(smtp, message, secret_store or SecretStore(), prompt=prompt)
            except EmailError as exc:
                raise EmailError(f"The pack was not sent, so nothing was written to {target}: {exc}") from exc
        files = _move_into_place(written, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if progress is not None:
        progress(_SCALE, _SCALE)
    return PackResult(period, target, files, tuple(recipients))


def _write_all(
    ctx: Context, period: PackPeriod, staging: Path, tz: tzinfo, progress: Progress | None, cancelled: Cancelled | None
) -> list[Path]:
    scope = ReportScope(tz=tz, start=period.start, end=period.end)
    step = (_SCALE - 50) // len(WORKBOOKS)  # the last 5% are sending and moving into place
    written: list[Path] = []
    for index, (kind, _label, write) in enumerate(WORKBOOKS):
        if cancelled is not None and cancelled():
            raise ExportCancelled("The report pack was cancelled; nothing was written or sent.")
        path = staging / period.file_name(kind)
        write(path, scope, ctx, scaled_progress(progress, index * step, (index + 1) * step, _SCALE))
        written.append(path)
        if progress is not None:
            progress((index + 1) * step, _SCALE)
    return written


def _staging_folder(target: Path) -> Path:
    """A new hidden folder inside ``target``; a staging folder a killed run left over an hour ago is removed first."""
    if not target.exists():
        raise PackError(f"Cannot write the report pack to {target}: the folder does not exist.")
    if not target.is_dir():
        raise PackError(f"Cannot write the report pack to {target}: it is a file, not a folder.")
    _remove_stale(target)
    staging = target / f".tamdesk-pack-{secrets.token_hex(4)}.tmp"
    try:
        staging.mkdir()
    except PermissionError:
        raise PackError(f"Cannot write the report pack to {target}: the folder is read-only.") from None
    except OSError as exc:
        raise PackError(f"Cannot write the report pack to {target}: {exc.strerror or exc}.") from None
    return staging


def _remove_stale(target: Path) -> None:
    cutoff = time.time() - STALE_AFTER
    try:
        entries = list(os.scandir(target))
    except OSError:
        return
    for entry in entries:
        try:
            stale = STAGING.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)
            if stale and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def _move_into_place(written: Sequence[Path], target: Path) -> tuple[Path, ...]:
    """Rename each workbook into ``target``; if one cannot be, take back the ones this run already placed."""
    placed: list[Path] = []
    for path in written:
        final = target / path.name
        try:
            if final.is_dir():
                raise IsADirectoryError(f"{final} is a folder")
            os.replace(path, final)
        except OSError as exc:
            for done in placed:
                done.unlink(missing_ok=True)
            reason = "it is a folder" if isinstance(exc, IsADirectoryError) else exc.strerror or str(exc)
            raise PackError(f"Cannot write {final} ({reason}), so no workbook of the pack was kept.") from None
        placed.append(final)
    return tuple(placed)
