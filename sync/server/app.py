"""The HTTP face of the central system (FastAPI): routes, protocol check, authentication, audit.

Every request must carry a protocol version this server speaks (else 426 with a Vietnamese
message); every route but enrolment and health needs a counter credential; every request is
written to the audit log with the counter, method, path and status (never bodies). Handlers are
plain functions run in the thread pool, one database transaction each, so any number of these
processes can serve one PostgreSQL database behind a load balancer.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from datetime import date

from fastapi import Depends, FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError, OperationalError

from app.domain.clock import Clock, SystemClock
from app.domain.errors import AppError
from sync.protocol import (
    BLOB_COMPLETE_HEADER,
    BLOB_OFFSET_HEADER,
    BLOB_RECEIVED_HEADER,
    BLOB_TOTAL_HEADER,
    MAX_FEED_BATCH,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    SUPPORTED_VERSIONS,
    CheckRequest,
    EnrolRequest,
    ErrorBody,
    ErrorResponse,
    LeaseList,
    LeaseRecord,
    LeaseRefusal,
    LeasesRequest,
    LeasesResponse,
    UploadRequest,
    UploadResponse,
)
from sync.server import apply, blobs, feed, leases
from sync.server.admin import latest_calendar
from sync.server.auth import AuthError, CounterAuth, authenticate, redeem_token
from sync.server.db import ServerDatabase, utc_now
from sync.server.models import AuditEntry, CatalogueVersion

log = logging.getLogger(__name__)
UNAUTHENTICATED = ("/v1/enrol", "/v1/health")


def _json(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json(ErrorResponse(error=ErrorBody(code=code, message=message)), status)


def _protocol_refusal(raw: str | None) -> Response | None:
    try:
        version = int(raw or "")
    except ValueError:
        version = None
    if version in SUPPORTED_VERSIONS:
        return None
    given = f"phiên bản {raw}" if raw else "không rõ phiên bản"
    return _error(
        426,
        "protocol.unsupported",
        f"Máy trạm dùng giao thức đồng bộ {given}; hệ thống trung tâm chỉ hỗ trợ phiên bản "
        f"{PROTOCOL_VERSION}. Hãy cập nhật phần mềm MotCua Desk rồi đồng bộ lại.",
    )


def create_app(db: ServerDatabase, *, clock: Clock | None = None) -> FastAPI:
    server = FastAPI(title="MotCua — hệ thống trung tâm", docs_url=None, redoc_url=None)
    now = (clock or SystemClock()).now

    def _audit(request: Request, status: int) -> None:
        auth: CounterAuth | None = getattr(request.state, "auth", None)
        with db.write() as session:
            session.add(
                AuditEntry(
                    at=utc_now(),
                    counter_code=auth.counter if auth else None,
                    credential_id=auth.credential_id if auth else None,
                    method=request.method,
                    path=request.url.path[:200],
                    status=status,
                )
            )

    @server.middleware("http")
    async def protocol_and_audit(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        refusal = None
        if request.url.path != "/v1/health":
            refusal = _protocol_refusal(request.headers.get(PROTOCOL_HEADER))
        response = refusal or await call_next(request)
        try:
            await run_in_threadpool(_audit, request, response.status_code)
        except Exception:  # the audit store failing must be visible, not fatal to the answer
            log.exception("audit write failed for %s %s", request.method, request.url.path)
        log.info("%s %s -> %d", request.method, request.url.path, response.status_code)
        return response

    @server.exception_handler(AuthError)
    async def _on_auth(_request: Request, error: AuthError) -> Response:
        return _error(error.status, error.code, error.message)

    @server.exception_handler(AppError)
    async def _on_app_error(_request: Request, error: AppError) -> Response:
        return _error(400, error.code, error.message)

    @server.exception_handler(RequestValidationError)
    async def _on_invalid(_request: Request, _exc: RequestValidationError) -> Response:
        return _error(400, "request.invalid", "Yêu cầu không đúng định dạng giao thức đồng bộ.")

    @server.exception_handler(OperationalError)
    async def _on_busy(_request: Request, _exc: OperationalError) -> Response:
        # Lock timeouts, a restarting database: transient, the client retries with backoff.
        return _error(503, "server.busy", "Hệ thống trung tâm đang bận, sẽ thử lại sau.")

    def counter(request: Request) -> CounterAuth:
        header = request.headers.get("authorization", "")
        scheme, _, secret = header.partition(" ")
        with db.read() as session:
            auth = authenticate(session, secret.strip() if scheme.lower() == "bearer" else None)
        request.state.auth = auth
        return auth

    Auth = Depends(counter)

    @server.get("/v1/health")
    def health() -> Response:
        return Response(
            f'{{"ok": true, "protocol": {PROTOCOL_VERSION}}}', media_type="application/json"
        )

    @server.post("/v1/enrol")
    def enrol(body: EnrolRequest) -> Response:
        with db.write() as session:
            return _json(redeem_token(session, body, now()))

    @server.post("/v1/upload")
    def upload(body: UploadRequest, auth: CounterAuth = Auth) -> Response:
        try:
            with db.write() as session:
                results = apply.apply_batch(session, auth, list(body.entries), now())
        except IntegrityError:
            # Not expected (the batch checks everything first); redo it entry by entry.
            log.warning("upload batch of %s fell back to careful mode", auth.counter)
            with db.write() as session:
                results = apply.apply_batch(session, auth, list(body.entries), now(), careful=True)
        return _json(UploadResponse(results=results))

    @server.get("/v1/uploads/{key}")
    def upload_result(key: str, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            result = apply.stored_result(session, auth, key)
        if result is None:
            return _error(404, "upload.unknown", "Không có kết quả cho thao tác này.")
        return _json(result)

    @server.get("/v1/changes")
    def changes(after: int = 0, limit: int = 200, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            return _json(feed.changes(session, auth, after, max(1, min(limit, MAX_FEED_BATCH))))

    @server.post("/v1/leases")
    def lease(body: LeasesRequest, auth: CounterAuth = Auth) -> Response:
        granted: list[LeaseRecord] = []
        refused: list[LeaseRefusal] = []
        returned: list[str] = []
        with db.write() as session:
            moment = now()
            for ret in body.returns:
                if leases.give_back(session, auth, ret, moment):
                    returned.append(ret.lease_id)
            for request in body.requests:
                outcome = leases.grant(session, auth, request, moment)
                if isinstance(outcome, LeaseRecord):
                    granted.append(outcome)
                else:
                    refused.append(outcome)
        return _json(LeasesResponse(granted=granted, returned=returned, refused=refused))

    @server.get("/v1/leases")
    def lease_list(auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            return _json(LeaseList(leases=leases.active_leases(session, auth)))

    @server.post("/v1/check")
    def check(body: CheckRequest, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            return _json(feed.check(session, auth, body))

    @server.get("/v1/dossiers")
    def scope(day: date, after: str = "", limit: int = 200, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            page = feed.scope(session, auth, day.isoformat(), after, max(1, min(limit, 1000)))
        return _json(page)

    @server.get("/v1/catalogue")
    def catalogue(_auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            row = session.query(CatalogueVersion).order_by(CatalogueVersion.version.desc()).first()
            if row is None:
                return _error(404, "catalogue.none", "Hệ thống trung tâm chưa có danh mục.")
            return _json(feed.catalogue_change(row))

    @server.get("/v1/calendar")
    def calendar(_auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            row = latest_calendar(session)
            if row is None:
                return _error(404, "calendar.none", "Hệ thống trung tâm chưa có lịch làm việc.")
            return _json(feed.calendar_change(row))

    def _blob_headers(state: blobs.BlobState) -> dict[str, str]:
        headers = {BLOB_RECEIVED_HEADER: str(state.received)}
        if state.total is not None:
            headers[BLOB_TOTAL_HEADER] = str(state.total)
        if state.complete:
            headers[BLOB_COMPLETE_HEADER] = "1"
        return headers

    @server.head("/v1/blobs/{sha}")
    def blob_head(sha: str, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            state = blobs.state(session, auth, sha)
        if state is None:
            return Response(status_code=404, headers={BLOB_RECEIVED_HEADER: "0"})
        return Response(status_code=200, headers=_blob_headers(state))

    @server.put("/v1/blobs/{sha}")
    async def blob_put(sha: str, request: Request, auth: CounterAuth = Auth) -> Response:
        data = await request.body()
        try:
            offset = int(request.headers.get(BLOB_OFFSET_HEADER, "0"))
            total = int(request.headers.get(BLOB_TOTAL_HEADER, str(len(data))))
        except ValueError:
            return _error(400, "blob.headers", "Thiếu hoặc sai thông tin vị trí tệp.")

        def store() -> blobs.BlobState:
            with db.write() as session:
                return blobs.put_chunk(session, auth, sha, offset, total, data)

        try:
            state = await run_in_threadpool(store)
        except blobs.BlobError as error:
            response = _error(error.status, error.code, error.message)
            response.headers[BLOB_RECEIVED_HEADER] = str(error.received)
            return response
        if state.discarded:
            return _error(
                422, "blob.hash", "Nội dung tệp không khớp mã SHA-256; cần gửi lại từ đầu."
            )
        return Response(status_code=200, headers=_blob_headers(state))

    @server.get("/v1/blobs/{sha}")
    def blob_get(sha: str, auth: CounterAuth = Auth) -> Response:
        with db.read() as session:
            data = blobs.read(session, auth, sha)
        if data is None:
            return _error(404, "blob.unknown", "Không có tệp này.")
        return Response(data, media_type="application/octet-stream")

    return server


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` with several worker processes (MOTCUA_CENTRAL_DB)."""
    return create_app(ServerDatabase.open(os.environ["MOTCUA_CENTRAL_DB"], migrate_schema=False))
