"""Digitisation (số hóa): scanner input, the page pipeline, PDF/A assembly, OCR and signing.

- `model`     the shared vocabulary: settings, pages, device info, scanner errors, `Scanner`.
- `sane_backend`, `escl`, `importer`, `wia_backend` — scanner inputs behind `Scanner`
  (`backends.open_scanner` picks one; only it imports them, so the services never pull in httpx).
- `pipeline`  per-page clean-up: deskew, crop, rotation, compression; `blank`: blank pages.
- `pdf`       one PDF/A-2b per component (img2pdf pass-through, conversion mark, metadata) + OCR.
- `signing`   PAdES signatures with pyHanko (PKCS#11 token or a software certificate) + validation.
"""
