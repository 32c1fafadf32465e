"""Layer 0: small helpers every app may use. No models, no app imports; Django, openpyxl and OpenCC only.

- ``core.text``: the one text fold (NFKC, Traditional→Simplified, lower case) for search and answer matching;
- ``core.spreadsheets``: the one CSV/XLSX writer (BOM, formula neutralising, local times, numbers as numbers);
- ``core.params``: the one parser for numbers in URLs (``int_param``, ``parse_int``, ``<id:…>`` converter);
- ``core.middleware``: 400 for a bad URL number, 503 "try again" when the database is busy, never a 500;
- ``core.urls``: the one public base URL for links that leave the request (emails, feeds without a request).
"""
