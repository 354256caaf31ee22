"""National statuses 1–10 and the transitions allowed between them (DOMAIN §2)."""

from __future__ import annotations

import pytest

from app.domain.errors import StateError
from app.domain.lifecycle import (
    TERMINAL,
    Action,
    Status,
    allowed_actions,
    next_status,
)


def test_every_national_status_has_its_code_and_vietnamese_label():
    assert [int(s) for s in Status] == list(range(1, 11))
    assert Status(2).label == "Được tiếp nhận"
    assert Status(10).label == "Đã trả kết quả"


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (Status.SUBMITTED_ONLINE, Action.RECEIVE, Status.RECEIVED),
        (Status.RECEIVED, Action.TRANSFER, Status.PROCESSING),
        (Status.RECEIVED, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED),
        (Status.PROCESSING, Action.REQUEST_SUPPLEMENT, Status.SUPPLEMENT_REQUESTED),
        (Status.PROCESSING, Action.REFUSE, Status.NOT_RECEIVED),
        (Status.PROCESSING, Action.RECORD_RESULT, Status.RESOLVED),
        (Status.RESOLVED, Action.RETURN_RESULT, Status.RETURNED),
        (Status.PROCESSING, Action.STOP, Status.STOPPED),
        (Status.FINANCIAL_OBLIGATION, Action.FINANCIAL_FULFILLED, Status.PROCESSING),
        (Status.PROCESSING, Action.REAPPOINT, Status.PROCESSING),
    ],
)
def test_allowed_transitions(status, action, expected):
    assert next_status(status, action) == expected


def test_supplement_reception_resumes_where_the_dossier_was():
    paused = Status.SUPPLEMENT_REQUESTED
    assert next_status(paused, Action.RECEIVE_SUPPLEMENT, resume_to=Status.RECEIVED) == 2
    assert next_status(paused, Action.RECEIVE_SUPPLEMENT, resume_to=Status.PROCESSING) == 4
    assert next_status(paused, Action.RECEIVE_SUPPLEMENT) == Status.PROCESSING


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_terminal_statuses_allow_nothing(status):
    assert allowed_actions(status) == []
    for action in Action:
        with pytest.raises(StateError):
            next_status(status, action)


def test_refused_transition_names_the_action_and_status_in_vietnamese():
    with pytest.raises(StateError) as caught:
        next_status(Status.RECEIVED, Action.RETURN_RESULT)
    assert caught.value.code == "lifecycle.not_allowed"
    assert "Trả kết quả" in caught.value.message
    assert "Được tiếp nhận" in caught.value.message


def test_no_reappointment_or_transfer_while_paused_for_supplement():
    for action in (Action.REAPPOINT, Action.TRANSFER, Action.RECORD_RESULT):
        with pytest.raises(StateError):
            next_status(Status.SUPPLEMENT_REQUESTED, action)
