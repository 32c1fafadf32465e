"""ServeWell's site shell: settings, root URLs, base templates, static files, translations, navigation, the
demo orchestration and the search engine (website/search/).

Named ``website`` because a top-level package called ``site`` cannot be imported: Python's
standard-library ``site`` module is loaded first. See README.md, "Layout".
"""
