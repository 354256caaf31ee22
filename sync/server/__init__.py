"""The reference central system: FastAPI + SQLAlchemy over PostgreSQL (production) or SQLite."""
