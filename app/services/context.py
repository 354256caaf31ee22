"""What every service call needs: the database, a clock, and which workstation is acting."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

from app.db.database import Database
from app.domain.clock import Clock, SystemClock


@dataclass
class ServiceContext:
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    workstation: str = field(default_factory=socket.gethostname)
