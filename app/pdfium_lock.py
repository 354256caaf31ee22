"""The one lock around every call into pdfium, whichever layer makes it.

pdfium (through pypdfium2) is not thread-safe, not even across documents: pypdfium2's
documentation asks for one thread at a time in the whole process. MotCua Desk calls it from
several worker threads — the print preview and the printer's bands (ui.pdf_raster), the PDF files
a clerk imports (app.scanning.importer), the PDF pages a network scanner sends
(app.scanning.escl) — so without one shared lock a PDF import during a print enters pdfium from
two threads at once, which can crash the process. Every call into pdfium holds `PDFIUM_LOCK`,
and documents, pages and bitmaps are closed under it rather than left to the garbage collector
(pypdfium2's finalizers would call pdfium on whichever thread collects them, without the lock).

Holders keep it for one call or one page and copy the pixels out before releasing it; never
across a `yield`, or a consumer processing a page would stall every other pdfium user.

It lives in app/ because both app/ and ui/ need it and app/ may not import ui/; it imports only
threading, so importing it loads no pdfium. It is re-entrant because a page generator dropped
half-way closes its document from its `finally` on whatever thread drops it, which may be one
already inside a locked section (the garbage collector runs during any allocation).
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
