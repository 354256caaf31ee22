"""The HTTP client of the sync protocol: the only module that imports httpx.

All traffic goes through `SyncClient.request`: timeouts, the protocol version and credential
headers, retries with exponential backoff and full jitter on network failures and 5xx answers,
and a log line per attempt with method, path and status only — never a body, a query string or
personal data. Retrying any request is safe because every mutating call of the protocol is
idempotent (upload keys, lease request ids, blob offsets). A 4xx answer is not retried: it becomes
a `SyncRefused` carrying the server's Vietnamese message. Nor is a TLS certificate this counter
does not trust (`SyncUntrusted`): provinces that run their central system with their own CA give
its PEM bundle as `ca_file`, which then replaces the public roots for this server.
"""

from __future__ import annotations

import logging
import random
import ssl
import time
from collections.abc import Callable
from typing import TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from app.domain.errors import AppError
from sync.protocol import (
    AUTH_SCHEME,
    BLOB_COMPLETE_HEADER,
    BLOB_OFFSET_HEADER,
    BLOB_RECEIVED_HEADER,
    BLOB_TOTAL_HEADER,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    CalendarChange,
    CatalogueChange,
    ChangesResponse,
    CheckRequest,
    CheckResponse,
    EnrolRequest,
    EnrolResponse,
    ErrorResponse,
    LeaseList,
    LeasesRequest,
    LeasesResponse,
    ScopeResponse,
    UploadRequest,
    UploadResponse,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
BLOB_CHUNK = 1024 * 1024


class SyncError(AppError):
    """Base of sync failures the officer is told about (Vietnamese message)."""


class SyncUnavailable(SyncError):
    """The central system could not be reached or kept failing: try again later (offline)."""


class SyncUntrusted(SyncError):
    """The central system's TLS certificate did not verify: retrying will not help, a CA bundle
    (or a corrected server certificate) will."""


# What OpenSSL's verify codes mean for the person at the counter.
_VERIFY_REASONS = {
    10: "chứng thư của máy chủ đã hết hạn",
    18: "chứng thư do máy chủ tự ký, không do cơ quan chứng thực tin cậy cấp",
    19: "chứng thư không do cơ quan chứng thực (CA) mà máy này tin cậy cấp",
    20: "chứng thư không do cơ quan chứng thực (CA) mà máy này tin cậy cấp",
    21: "chứng thư không do cơ quan chứng thực (CA) mà máy này tin cậy cấp",
    62: "chứng thư không được cấp cho địa chỉ máy chủ này",
}


def _untrusted(error: BaseException) -> SyncUntrusted | None:
    """The certificate failure behind a connection error, if that is what it was."""
    seen: BaseException | None = error
    while seen is not None and not isinstance(seen, ssl.SSLCertVerificationError):
        seen = seen.__cause__ or seen.__context__
    if seen is None:
        return None
    reason = _VERIFY_REASONS.get(seen.verify_code, "chứng thư của máy chủ không hợp lệ")
    return SyncUntrusted(
        "sync.tls_untrusted",
        f"Không tin cậy được kết nối an toàn (TLS) tới hệ thống trung tâm: {reason}. "
        "Nếu tỉnh dùng cơ quan chứng thực riêng, hãy chỉ định tệp chứng thư CA (PEM) của tỉnh: "
        "«motcua sync --ca-file TỆP.pem» (hoặc khi đăng ký: «motcua enrol … --ca-file TỆP.pem»).",
        verify_code=seen.verify_code,
    )


def tls_verification(ca_file: str | None) -> ssl.SSLContext | bool:
    """What httpx verifies the server with: the given CA bundle only, or its default roots."""
    if not ca_file:
        return True
    try:
        return ssl.create_default_context(cafile=ca_file)
    except ssl.SSLError:
        message = f"Tệp «{ca_file}» không chứa chứng thư CA dạng PEM hợp lệ."
    except OSError as error:
        message = f"Không đọc được tệp chứng thư CA «{ca_file}» ({error.strerror or error})."
    raise SyncError("sync.ca_file", message, field="ca_file")


class SyncRefused(SyncError):
    """The central system answered with a refusal (4xx): retrying the same call will not help."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(code, message)
        self.status = status


def full_jitter(attempt: int, base: float, cap: float) -> float:
    """AWS "full jitter": uniform in [0, min(cap, base * 2^attempt)] — spreads retry storms."""
    return random.uniform(0, min(cap, base * (2**attempt)))


class SyncClient:
    def __init__(
        self,
        base_url: str,
        credential: str | None = None,
        *,
        ca_file: str | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 4,
        backoff_base: float = 0.2,
        backoff_cap: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if credential:
            headers["Authorization"] = f"{AUTH_SCHEME} {credential}"
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers=headers,
            timeout=timeout,
            transport=transport,
            verify=tls_verification(ca_file),
        )
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- the one request function ---------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | bytes | None = None,
        params: dict[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> httpx.Response:
        content = body.model_dump_json().encode() if isinstance(body, BaseModel) else body
        send_headers = dict(headers or {})
        if isinstance(body, BaseModel):
            send_headers["Content-Type"] = "application/json"
        failure = ""
        for attempt in range(self.retries + 1):
            try:
                response = self._http.request(
                    method, path, content=content, params=params, headers=send_headers
                )
            except httpx.TransportError as error:
                if untrusted := _untrusted(error):
                    log.warning("%s %s -> certificate not trusted", method, path)
                    raise untrusted from None
                failure = type(error).__name__
                log.warning("%s %s -> %s (attempt %d)", method, path, failure, attempt + 1)
            else:
                log.info("%s %s -> %d", method, path, response.status_code)
                if response.status_code in ok:
                    return response
                if response.status_code < 500:
                    raise self._refusal(response)
                failure = f"HTTP {response.status_code}"
            if attempt < self.retries:
                self._sleep(full_jitter(attempt, self.backoff_base, self.backoff_cap))
        raise SyncUnavailable(
            "sync.unavailable",
            f"Không kết nối được hệ thống trung tâm ({failure}); dữ liệu vẫn lưu trên máy và "
            "sẽ được đồng bộ khi có kết nối.",
        )

    @staticmethod
    def _refusal(response: httpx.Response) -> SyncRefused:
        try:
            error = ErrorResponse.model_validate_json(response.content).error
            return SyncRefused(error.code, error.message, response.status_code)
        except ValidationError:
            return SyncRefused(
                "sync.refused",
                f"Hệ thống trung tâm từ chối yêu cầu (mã {response.status_code}).",
                response.status_code,
            )

    def _call(self, model: type[M], method: str, path: str, **kwargs: object) -> M:
        response = self.request(method, path, **kwargs)  # type: ignore[arg-type]
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise SyncRefused(
                "sync.bad_answer",
                "Câu trả lời của hệ thống trung tâm không đúng giao thức đồng bộ.",
                response.status_code,
            ) from None

    # ---- protocol calls -------------------------------------------------------------------

    def enrol(self, request: EnrolRequest) -> EnrolResponse:
        return self._call(EnrolResponse, "POST", "/v1/enrol", body=request)

    def upload(self, request: UploadRequest) -> UploadResponse:
        return self._call(UploadResponse, "POST", "/v1/upload", body=request)

    def changes(self, after: int, limit: int) -> ChangesResponse:
        return self._call(
            ChangesResponse, "GET", "/v1/changes", params={"after": after, "limit": limit}
        )

    def leases(self, request: LeasesRequest) -> LeasesResponse:
        return self._call(LeasesResponse, "POST", "/v1/leases", body=request)

    def lease_list(self) -> LeaseList:
        return self._call(LeaseList, "GET", "/v1/leases")

    def check(self, request: CheckRequest) -> CheckResponse:
        return self._call(CheckResponse, "POST", "/v1/check", body=request)

    def scope(self, day: str, after: str, limit: int) -> ScopeResponse:
        params: dict[str, str | int] = {"day": day, "after": after, "limit": limit}
        return self._call(ScopeResponse, "GET", "/v1/dossiers", params=params)

    def catalogue(self) -> CatalogueChange:
        return self._call(CatalogueChange, "GET", "/v1/catalogue")

    def calendar(self) -> CalendarChange:
        return self._call(CalendarChange, "GET", "/v1/calendar")

    # ---- blobs ----------------------------------------------------------------------------

    def blob_received(self, sha256: str) -> tuple[int, bool]:
        """How many bytes of the blob the server holds for us, and whether it is complete."""
        response = self.request("HEAD", f"/v1/blobs/{sha256}", ok=(200, 404))
        return (
            int(response.headers.get(BLOB_RECEIVED_HEADER, "0")),
            response.headers.get(BLOB_COMPLETE_HEADER) == "1",
        )

    def put_blob(self, sha256: str, data: bytes, chunk: int = BLOB_CHUNK) -> None:
        """Upload content-addressed bytes, resuming where an earlier attempt stopped."""
        for _round in range(self.retries + 2):
            offset, complete = self.blob_received(sha256)
            while not complete and offset < len(data):
                part = data[offset : offset + chunk]
                headers = {
                    BLOB_OFFSET_HEADER: str(offset),
                    BLOB_TOTAL_HEADER: str(len(data)),
                    "Content-Type": "application/octet-stream",
                }
                try:
                    response = self.request(
                        "PUT", f"/v1/blobs/{sha256}", body=part, headers=headers, ok=(200, 409)
                    )
                except SyncUnavailable:
                    break  # ask again how much arrived, then go on from there
                offset = int(response.headers.get(BLOB_RECEIVED_HEADER, "0"))
                complete = response.headers.get(BLOB_COMPLETE_HEADER) == "1"
            if complete:
                return
        raise SyncUnavailable(
            "sync.blob_unavailable", "Chưa gửi xong tệp lên hệ thống trung tâm; sẽ gửi tiếp sau."
        )

    def get_blob(self, sha256: str) -> bytes:
        return self.request("GET", f"/v1/blobs/{sha256}").content
