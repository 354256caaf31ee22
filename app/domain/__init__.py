"""Pure domain rules: text, identity checks, calendar, deadlines, codes, lifecycle, catalogue.

No I/O and no database here: functions take data (and a clock value) and return data.
"""
