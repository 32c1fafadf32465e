"""Layer 0: small helpers every app may use. No models, no app imports; Django, openpyxl and OpenCC only.

- ``core.text``: the one text fold (NFKC, Traditional→Simplified, lower case) for search and answer matching;
- ``core.spreadsheets``: the one CSV/XLSX writer (BOM, formula neutralising, local times, numbers as numbers);
- ``core.urls``: the one public base URL for links that leave the request (emails, feeds without a request).
"""
