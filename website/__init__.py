"""ServeWell's site package (people, org chart, roles, record ledger, dashboards).

Named ``website`` because a top-level package called ``site`` cannot be imported: Python's
standard-library ``site`` module is loaded first. See README.md, "Layout".
"""
