"""MotCua Desk core: domain rules, persistence and services of the one-stop counter.

Nothing in this package imports Qt or httpx; the desktop (`ui/`) and sync (`sync/`) layers
sit on top.
"""
