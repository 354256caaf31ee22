"""The sync engine: plan, then execute one sync of this counter with the central system.

A sync runs four phases, each safe to interrupt at any point (a crash, a cut cable, SIGKILL):
1. upload the outbox in order, in batches; each result is classified — applied (done), retry
   (stays pending; the phase stops so nothing overtakes it), rejected (parked in the supervisor's
   list, never blocking the rest);
2. leases: give back unused numbers of past days, top up today and the next working days, and
   any extra block asked for this sync (`SyncOptions.extra_leases`: back-filling an older day);
3. download the change feed in small batches, each applied with its cursor in one transaction;
   then the digitised PDFs, content-addressed and resumable, after all the metadata;
4. consistency check: compare digests per scope with the server and silently re-download any
   scope that differs — never a "which side do you keep" question.
Everything local goes through app.services.sync_port; everything remote through sync.client.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from app.domain.errors import AppError
from app.services import sync_port as port
from app.services.context import ServiceContext
from sync.client import SyncClient, SyncError, SyncUnavailable
from sync.protocol import (
    MAX_LEASE_BLOCK,
    MAX_UPLOAD_BATCH,
    CheckRequest,
    Digest,
    EnrolRequest,
    LeaseDigest,
    LeaseRequest,
    LeaseReturn,
    LeasesRequest,
    UploadEntry,
    UploadRequest,
)

log = logging.getLogger(__name__)
_one_sync_at_a_time = threading.Lock()


@dataclass(frozen=True)
class SyncOptions:
    upload_batch: int = 100
    feed_batch: int = 200
    scope_batch: int = 200
    lease_days_ahead: int = 2
    check: bool = True
    # (day, count): codes to lease in this sync on top of the usual top-up, e.g. to back-fill
    # the paper dossiers of an older day offline (`motcua sync --extra-leases dd/mm/yyyy:N`).
    extra_leases: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class SyncSummary:
    """What one sync did, and where this counter stands (for the badge and `motcua sync`)."""

    ok: bool
    error_code: str = ""
    error: str = ""
    uploaded: int = 0
    rejected: int = 0
    retry: int = 0
    downloaded: int = 0
    deferred: int = 0
    leases_granted: int = 0
    leases_returned: int = 0
    leases_refused: tuple[str, ...] = ()  # the central system's Vietnamese reasons
    redownloaded: tuple[str, ...] = ()
    blobs_uploaded: int = 0
    pending: int = 0
    oldest_pending_age_s: float | None = None
    last_success: datetime | None = None
    rejected_total: int = 0
    codes_left_today: int | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class SyncPlan:
    settings: port.SyncSettings
    pending: int
    lease_needs: tuple[port.LeaseNeed, ...]
    lease_returns: tuple[port.LeaseGiveBack, ...]


@dataclass
class _Tally:
    uploaded: int = 0
    rejected: int = 0
    retry: int = 0
    downloaded: int = 0
    deferred: int = 0
    granted: int = 0
    returned: int = 0
    refused: list[str] = field(default_factory=list)
    redownloaded: list[str] = field(default_factory=list)
    blobs: int = 0


def _entry(item: port.OutgoingEntry) -> UploadEntry:
    return UploadEntry.model_validate(
        {
            "id": item.id,
            "seq": item.seq,
            "entity_type": item.entity_type,
            "entity_id": item.entity_id,
            "op": item.op,
            "created_at": item.created_at,
            "dossier": item.dossier,
            "event": item.event,
            "payload": item.payload,
        }
    )


def _digest(values: tuple[int, int, int]) -> Digest:
    return Digest(count=values[0], sum_version=values[1], sum_seq=values[2])


class SyncEngine:
    def __init__(
        self, ctx: ServiceContext, client: SyncClient, options: SyncOptions | None = None
    ) -> None:
        self.ctx = ctx
        self.client = client
        self.options = options or SyncOptions()

    # ---- plan -----------------------------------------------------------------------------

    def plan(self) -> SyncPlan:
        settings = port.sync_settings(self.ctx)
        if settings is None:
            raise SyncError(
                "sync.not_enrolled",
                "Máy trạm chưa đăng ký với hệ thống trung tâm (motcua enrol --server … --token …).",
            )
        needs, returns = port.plan_leases(self.ctx, days_ahead=self.options.lease_days_ahead)
        needs += self.extra_lease_needs()
        return SyncPlan(settings, port.pending_count(self.ctx), tuple(needs), tuple(returns))

    def extra_lease_needs(self) -> list[port.LeaseNeed]:
        """The extra blocks of the options, split to the protocol's largest block (empty until
        the station is a central counter)."""
        needs: list[port.LeaseNeed] = []
        for day, count in self.options.extra_leases:
            for need in port.request_extra_leases(self.ctx, day, count):
                for start in range(0, need.count, MAX_LEASE_BLOCK):
                    needs.append(replace(need, count=min(MAX_LEASE_BLOCK, need.count - start)))
        return needs

    # ---- execute --------------------------------------------------------------------------

    def execute(self, plan: SyncPlan) -> _Tally:
        tally = _Tally()
        self.upload(tally)
        self.exchange_leases(plan.lease_needs, plan.lease_returns, tally)
        self.download(tally)
        if not plan.settings.station_ready and port.finish_enrolment(self.ctx):
            # Now a central counter: it needs its first leases before it can receive.
            needs, returns = port.plan_leases(self.ctx, days_ahead=self.options.lease_days_ahead)
            needs += self.extra_lease_needs()  # not in the plan: the station was not ready
            self.exchange_leases(tuple(needs), tuple(returns), tally)
            self.download(tally)
        self.upload_blobs(tally)
        if self.options.check and tally.retry == 0 and port.pending_count(self.ctx) == 0:
            self.check(tally)
        return tally

    def upload_blobs(self, tally: _Tally) -> None:
        """Digitised PDFs, after the metadata: resumable, content-addressed (docs/SYNC.md)."""
        for sha256 in port.pending_blobs(self.ctx):
            self.client.put_blob(sha256, port.read_blob(self.ctx, sha256))
            port.mark_blob_uploaded(self.ctx, sha256)
            tally.blobs += 1

    def upload(self, tally: _Tally) -> None:
        last_seq = 0
        size = max(1, min(self.options.upload_batch, MAX_UPLOAD_BATCH))
        while True:
            items = port.pending_entries(self.ctx, size, after_seq=last_seq)
            if not items:
                return
            response = self.client.upload(UploadRequest(entries=[_entry(i) for i in items]))
            outcomes = [
                port.UploadOutcome(r.id, r.status, r.code, r.message, r.row_version, r.change_seq)
                for r in response.results
            ]
            port.record_upload_results(self.ctx, outcomes)
            for outcome in outcomes:
                if outcome.status == "applied":
                    tally.uploaded += 1
                elif outcome.status == "rejected":
                    tally.rejected += 1
                    log.warning("upload %s rejected: %s", outcome.id, outcome.code)
                else:
                    tally.retry += 1
            if tally.retry or len(response.results) < len(items):
                return  # leave the rest pending, in order, for the next sync
            last_seq = items[-1].seq

    def exchange_leases(
        self,
        needs: tuple[port.LeaseNeed, ...],
        returns: tuple[port.LeaseGiveBack, ...],
        tally: _Tally,
    ) -> None:
        if not needs and not returns:
            return
        request = LeasesRequest(
            requests=[
                LeaseRequest(
                    # A claim keeps its request id across retries and restarts (same answer).
                    request_id=f"claim-{n.claim_of}" if n.claim_of else str(uuid.uuid4()),
                    agency_eid=n.agency_eid,
                    day=n.day,
                    count=n.count,
                    first=n.first,
                )
                for n in needs
            ],
            returns=[
                LeaseReturn(lease_id=r.lease_id, first_unused=r.first_unused) for r in returns
            ],
        )
        # A lost answer costs nothing: granted leases also arrive by the feed, and returns are
        # idempotent.
        response = self.client.leases(request)
        port.store_leases(self.ctx, [g.model_dump() for g in response.granted])
        port.confirm_returns(self.ctx, list(response.returned))
        port.confirm_claims(self.ctx, [n.claim_of for n in needs if n.claim_of])
        for refusal in response.refused:
            log.warning("lease refused: %s", refusal.code)
            tally.refused.append(refusal.message)
        tally.granted += len(response.granted)
        tally.returned += len(response.returned)

    def download(self, tally: _Tally) -> None:
        settings = port.sync_settings(self.ctx)
        cursor = settings.cursor if settings else 0
        while True:
            page = self.client.changes(cursor, self.options.feed_batch)
            changes = [
                port.IncomingChange(c.kind, c.seq, self._change_data(c)) for c in page.changes
            ]
            stats = port.apply_changes(self.ctx, changes, page.cursor)
            tally.downloaded += stats.applied
            tally.deferred += stats.deferred
            cursor = page.cursor
            if not page.more:
                return

    @staticmethod
    def _change_data(change: Any) -> dict[str, Any]:
        data: dict[str, Any]
        if change.kind == "dossier":
            data = change.record.model_dump()
        elif change.kind == "lease":
            data = change.lease.model_dump()
        elif change.kind == "agency":
            data = change.agency.model_dump()
        else:
            data = change.model_dump(exclude={"kind", "seq"})
        return data

    def check(self, tally: _Tally) -> None:
        local = port.local_digests(self.ctx)
        answer = self.client.check(
            CheckRequest(
                catalogue_version=local.catalogue_version,
                calendar_version=local.calendar_version,
                months={m: _digest(d) for m, d in local.months.items()},
                leases=LeaseDigest(
                    count=local.leases[0], sum_first=local.leases[1], sum_last=local.leases[2]
                ),
            )
        )
        if not answer.catalogue_ok:
            latest = self.client.catalogue()
            port.apply_changes(
                self.ctx,
                [
                    port.IncomingChange(
                        "catalogue", latest.seq, latest.model_dump(exclude={"kind", "seq"})
                    )
                ],
                0,
            )
            tally.redownloaded.append("catalogue")
        if not answer.calendar_ok:
            cal = self.client.calendar()
            port.apply_changes(
                self.ctx,
                [port.IncomingChange("calendar", cal.seq, cal.model_dump(exclude={"kind", "seq"}))],
                0,
            )
            tally.redownloaded.append("calendar")
        if not answer.leases_ok:
            port.reconcile_leases(
                self.ctx, [x.model_dump() for x in self.client.lease_list().leases]
            )
            tally.redownloaded.append("leases")
        for month, server_days in answer.mismatched.items():
            mine = port.day_digests(self.ctx, month)
            for day in sorted(set(server_days) | set(mine)):
                if _digest(mine.get(day, (0, 0, 0))) != server_days.get(day, Digest()):
                    self.redownload_day(date.fromisoformat(day))
                    tally.redownloaded.append(day)

    def redownload_day(self, day: date) -> None:
        after = ""
        seen: set[str] = set()
        while True:
            page = self.client.scope(day.isoformat(), after, self.options.scope_batch)
            records = [(r.seq, r.record.model_dump()) for r in page.records]
            port.apply_scope(self.ctx, day, records, last_page=not page.more, seen=seen)
            if not page.more or not page.records:
                return
            after = page.records[-1].record.id


def _summary(
    ctx: ServiceContext, tally: _Tally, started: float, error: AppError | None
) -> SyncSummary:
    status = port.sync_status(ctx)
    now = ctx.clock.now()
    age = (now - status.oldest_pending_at).total_seconds() if status.oldest_pending_at else None
    return SyncSummary(
        ok=error is None,
        error_code=error.code if error else "",
        error=error.message if error else "",
        uploaded=tally.uploaded,
        rejected=tally.rejected,
        retry=tally.retry,
        downloaded=tally.downloaded,
        deferred=tally.deferred,
        leases_granted=tally.granted,
        leases_returned=tally.returned,
        leases_refused=tuple(tally.refused),
        redownloaded=tuple(tally.redownloaded),
        blobs_uploaded=tally.blobs,
        pending=status.pending,
        oldest_pending_age_s=age,
        last_success=status.last_success_at,
        rejected_total=status.rejected,
        codes_left_today=status.codes_left_today,
        seconds=round(time.perf_counter() - started, 3),
    )


def run_sync_once(
    ctx: ServiceContext,
    *,
    server_url: str | None = None,
    ca_file: str | None = None,
    client: SyncClient | None = None,
    options: SyncOptions | None = None,
) -> SyncSummary:
    """One complete sync; blocking, thread-friendly (one sync at a time per process).
    `server_url` and `ca_file` override the enrolment's for this sync only.
    Never raises for network trouble: the summary says what happened."""
    started = time.perf_counter()
    tally = _Tally()
    error: AppError | None
    with _one_sync_at_a_time:
        enrolled = True  # a missing credential is still an attempt the badge should show
        own_client = client is None
        try:
            settings = port.sync_settings(ctx)
            if settings is None:
                enrolled = False
                raise SyncError(
                    "sync.not_enrolled",
                    "Máy trạm chưa đăng ký với hệ thống trung tâm "
                    "(motcua enrol --server … --token …).",
                )
            client = client or SyncClient(
                server_url or settings.server_url,
                settings.credential,
                ca_file=ca_file or settings.ca_file or None,
            )
            engine = SyncEngine(ctx, client, options)
            tally = engine.execute(engine.plan())
            # A sync that had to leave entries for later has not caught up.
            error = (
                None
                if tally.retry == 0
                else SyncUnavailable(
                    "sync.retry_later", "Hệ thống trung tâm yêu cầu gửi lại một số thay đổi sau."
                )
            )
        except (SyncError, port.CredentialMissing) as failure:
            error = failure
        finally:
            if own_client and client is not None:
                client.close()
        if enrolled:
            port.record_attempt(ctx, ok=error is None, error=error.message if error else "")
        return _summary(ctx, tally, started, error)


async def run_sync_once_async(ctx: ServiceContext, **kwargs: Any) -> SyncSummary:
    """For the qasync loop: runs the blocking sync on a worker thread."""
    return await asyncio.to_thread(run_sync_once, ctx, **kwargs)


@dataclass(frozen=True)
class EnrolSummary:
    counter: str
    counter_name: str
    agencies: tuple[str, ...]
    sync: SyncSummary


def enrol(
    ctx: ServiceContext,
    server_url: str,
    token: str,
    *,
    workstation: str = "",
    options: SyncOptions | None = None,
    ca_file: str | None = None,
) -> EnrolSummary:
    """Exchange an enrolment token for a credential, then sync: the station becomes the
    enrolled counter in central mode as soon as the catalogue naming it has arrived.
    `ca_file`: the province's CA bundle (PEM), remembered for every later sync."""
    with SyncClient(server_url, ca_file=ca_file) as anonymous:
        answer = anonymous.enrol(
            EnrolRequest(token=token, request_id=str(uuid.uuid4()), workstation=workstation)
        )
    port.save_enrolment(
        ctx,
        server_url=server_url,
        credential=answer.credential,
        counter=answer.counter,
        agencies=[a.model_dump() for a in answer.agencies],
        ca_file=ca_file or "",
    )
    summary = run_sync_once(ctx, options=options)
    return EnrolSummary(
        answer.counter, answer.counter_name, tuple(a.code for a in answer.agencies), summary
    )
