"""A Wagtail (modelsearch) search backend on Whoosh that understands Chinese.

Select it with ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "website.search.backend", "PATH": ...}}``.
Options: ``PATH`` (index directory, default ``settings.SEARCH_INDEX_DIR``), ``LOCK_TIMEOUT`` (seconds a writer
waits for the index lock, default 30).

Division of work: Whoosh answers *which* objects match a query and how well (BM25F over the text of every
``SearchField`` / ``AutocompleteField``, analysed by :mod:`website.search.analysis`). The database applies the
queryset's filters, ordering and facets on those primary keys, so filters always see current data (a
moved page's path, an unpublished page's ``live``) and any lookup Django supports works. ``check()`` still
insists on ``FilterField`` declarations, so code stays portable to the OpenSearch backend. A relevance-ordered
search of an unfiltered queryset (the common case) only loads the requested page of results from the database.
"""

from __future__ import annotations

import logging
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

import numpy as np
from django.apps import apps
from django.conf import settings
from django.db.models import Count, Manager, Model, QuerySet
from django.utils.encoding import force_str
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterFieldError,
    get_model_root,
)
from modelsearch.index import (
    AutocompleteField,
    RelatedFields,
    SearchField,
    get_indexed_instance,
    get_indexed_models,
)
from modelsearch.query import And, Boost, Fuzzy, MatchAll, Not, Or, Phrase, PlainText, SearchQuery
from whoosh import query as wq

from .analysis import phrase_terms, query_chunks, units
from .matching import Adjacent, BulkEvaluator
from .storage import (
    AUTOCOMPLETE_PREFIX,
    FIX_COMMAND,
    SEARCH_PREFIX,
    Document,
    IndexStatus,
    IndexStore,
    IndexUnavailable,
    JournalEntry,
    Rebuild,
)

logger = logging.getLogger(__name__)

#: Above this many hits, restricting a queryset by primary key streams its pks instead of one IN (...) list.
MAX_IN_LIST = 20_000


# --- Documents ------------------------------------------------------------------------------------------


def doc_id(model: type[Model], pk: Any) -> str:
    return f"{get_model_root(model)._meta.label_lower}:{pk}"


def content_types(model: type[Model]) -> list[str]:
    """The model's indexed content type and its indexed parents' (so Page searches find every page type)."""
    names, cls = [], model
    while cls is not None:
        names.append(cls.indexed_get_content_type())
        cls = cls.indexed_get_parent()
    return names


def _prepare(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "\n".join(_prepare(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(_prepare(item) for item in value.values())
    return force_str(value)


def _collect(obj: Model, field: Any, prefix: str, texts: dict[str, list[str]]) -> None:
    if isinstance(field, SearchField):
        texts[SEARCH_PREFIX + prefix + field.field_name].append(_prepare(field.get_value(obj)))
    elif isinstance(field, AutocompleteField):
        texts[AUTOCOMPLETE_PREFIX + prefix + field.field_name].append(_prepare(field.get_value(obj)))
    elif isinstance(field, RelatedFields):
        related = field.get_value(obj)
        if related is None:
            return
        if isinstance(related, Manager):
            related = related.all()
        elif callable(related):
            related = [related()]
        else:
            related = [related]
        for sub_obj in related:
            for sub_field in field.fields:
                _collect(sub_obj, sub_field, f"{prefix}{field.field_name}__", texts)


def document_for(obj: Model) -> Document:
    """The Whoosh document for an indexed object: its text fields, id, pk and content types."""
    model = type(obj)
    texts: dict[str, list[str]] = defaultdict(list)
    for field in model.get_search_fields():
        _collect(obj, field, "", texts)
    doc: Document = {name: "\n".join(v for v in values if v) for name, values in texts.items()}
    doc.update(doc_id=doc_id(model, obj.pk), pk=str(obj.pk), ct=" ".join(content_types(model)))
    return doc


@cache
def query_fields(model: type[Model], autocomplete: bool) -> dict[str, float]:
    """Whoosh fields (with boosts) searched for ``model`` and its indexed subclasses when no ``fields``."""
    wanted = AutocompleteField if autocomplete else SearchField
    prefix = AUTOCOMPLETE_PREFIX if autocomplete else SEARCH_PREFIX
    boosts: dict[str, float] = {}

    def walk(fields: Iterable[Any], path: str) -> None:
        for field in fields:
            if isinstance(field, RelatedFields):
                walk(field.fields, f"{path}{field.field_name}__")
            elif isinstance(field, wanted):
                name = prefix + path + field.field_name
                boost = float(getattr(field, "boost", None) or 1.0)
                boosts[name] = max(boost, boosts.get(name, 0.0))

    for indexed in get_indexed_models():
        if issubclass(indexed, model):
            walk(indexed.get_search_fields(), "")
    return boosts


# --- Queries --------------------------------------------------------------------------------------------


class WhooshSearchQueryCompiler(BaseSearchQueryCompiler):
    """Translates modelsearch queries (PlainText, Phrase, Fuzzy, MatchAll, Boost, And/Or/Not) to Whoosh."""

    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True  # the database orders the results
    is_autocomplete = False

    def search_fields(self) -> dict[str, float]:
        model = self.queryset.model
        if not self.fields:
            return query_fields(model, self.is_autocomplete)
        boosts = {}
        declared = {f.field_name: f for f in model.get_search_fields() if isinstance(f, SearchField)}
        autocompletes = {f.field_name for f in model.get_autocomplete_search_fields()}
        for name in self.fields:
            if self.is_autocomplete and name in autocompletes:
                boosts[AUTOCOMPLETE_PREFIX + name] = 1.0
            else:
                field = declared.get(name)
                boosts[SEARCH_PREFIX + name] = float(getattr(field, "boost", None) or 1.0)
        return boosts

    def compile(self, query: SearchQuery | None = None, boost: float = 1.0) -> wq.Query:
        """The Whoosh query for ``query`` (default: this compiler's query)."""
        query = self.query if query is None else query
        if isinstance(query, MatchAll):
            return wq.Every()
        if isinstance(query, PlainText):
            return self._text(query.query_string, query.operator, boost * query.boost)
        if isinstance(query, Phrase):
            return self._chunk(query.query_string, boost, prefix_last=False)
        if isinstance(query, Fuzzy):
            return self._fuzzy(query, boost)
        if isinstance(query, Boost):
            return self.compile(query.subquery, boost * query.boost)
        if isinstance(query, And):
            return wq.And([self.compile(sub, boost) for sub in query.subqueries])
        if isinstance(query, Or):
            return wq.Or([self.compile(sub, boost) for sub in query.subqueries])
        if isinstance(query, Not):
            return wq.Not(self.compile(query.subquery, boost))
        raise TypeError(f"{type(query).__name__} is not a search query the Whoosh backend knows")

    def _text(self, text: str, operator: str, boost: float) -> wq.Query:
        chunks = query_chunks(text)
        parts = [
            self._chunk(chunk, boost, prefix_last=self.is_autocomplete and i == len(chunks) - 1)
            for i, chunk in enumerate(chunks)
        ]
        if not parts:
            return wq.NullQuery
        return parts[0] if len(parts) == 1 else (wq.And if operator == "and" else wq.Or)(parts)

    def _chunk(self, text: str, boost: float, *, prefix_last: bool) -> wq.Query:
        """``text`` as a phrase in any searched field (the last Latin word as a prefix for autocomplete)."""
        alternatives = []
        for field, field_boost in self.search_fields().items():
            stem = field.startswith(SEARCH_PREFIX)
            terms = phrase_terms(text, stem=stem)
            prefix = None
            if prefix_last and terms:
                last = units(text, stem=False)[-1]
                if not last.cjk:
                    terms.pop()
                    prefix = last.key
            weight = boost * field_boost
            parts: list[wq.Query] = []
            if len(terms) == 1:
                parts.append(wq.Term(field, terms[0], boost=weight))
            elif terms:
                parts.append(Adjacent(field, terms, boost=weight))
            if prefix is not None:
                parts.append(wq.Prefix(field, prefix, boost=weight))
            if parts:
                alternatives.append(parts[0] if len(parts) == 1 else wq.And(parts))
        if not alternatives:
            return wq.NullQuery
        return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)

    def _fuzzy(self, query: Fuzzy, boost: float) -> wq.Query:
        """Latin words within an edit distance (1 up to 5 letters, else 2); CJK runs by any shared bigram."""
        chunk_queries = []
        for chunk in query_chunks(query.query_string):
            alternatives = []
            for field, field_boost in self.search_fields().items():
                stem = field.startswith(SEARCH_PREFIX)
                weight = boost * field_boost
                unit_queries: list[wq.Query] = []
                for unit in units(chunk, stem=stem):
                    if unit.cjk:
                        continue
                    distance = 0 if len(unit.key) <= 2 else 1 if len(unit.key) <= 5 else 2
                    unit_queries.append(
                        wq.FuzzyTerm(field, unit.key, boost=weight, maxdist=distance, prefixlength=1)
                    )
                cjk_terms = [t for t in phrase_terms(chunk, stem=stem) if not t.isascii()]
                unit_queries.extend(wq.Term(field, term, boost=weight) for term in cjk_terms)
                if unit_queries:
                    alternatives.append(wq.Or(unit_queries))
            if alternatives:
                chunk_queries.append(wq.Or(alternatives))
        if not chunk_queries:
            return wq.NullQuery
        return (wq.And if query.operator == "and" else wq.Or)(chunk_queries)


class WhooshAutocompleteQueryCompiler(WhooshSearchQueryCompiler):
    """Searches AutocompleteFields; the last Latin word matches as a prefix, CJK matches as a substring."""

    is_autocomplete = True


# --- Results --------------------------------------------------------------------------------------------


class DocsOfType(NamedTuple):
    set: set[int]
    array: np.ndarray  # sorted


def _docs_of_type(searcher, content_type: str) -> DocsOfType:
    """Docnums of one content type, cached on the searcher (it is replaced whenever the index changes)."""
    cache = searcher.__dict__.setdefault("_servewell_types", {})
    if content_type not in cache:
        docs = set(searcher.docs_for_query(wq.Term("ct", content_type)))
        cache[content_type] = DocsOfType(docs, np.array(sorted(docs), dtype=np.int64))
    return cache[content_type]


_reported: set[tuple[str, str]] = set()


def _pk_column(searcher):
    """The searcher's ``pk`` column reader, kept on it: opening one reads every segment's column index."""
    column = getattr(searcher, "_sitesearch_pk_column", None)
    if column is None:
        column = searcher._sitesearch_pk_column = searcher.reader().column_reader("pk")
    return column


def _report_unavailable(store: IndexStore, exc: Exception) -> None:
    """Log a broken index once per process and problem, with the command that fixes it."""
    key = (str(store.root), type(exc).__name__)
    if key not in _reported:
        _reported.add(key)
        logger.error(
            "Search index unavailable (%s). Searches return nothing until you run `%s`.", exc, FIX_COMMAND
        )


class WhooshSearchResults(BaseSearchResults):
    """Lazy search results; ``index_unavailable`` is True when the index could not be read (no results)."""

    supports_facet = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index_unavailable = False

    # whoosh side
    def _whoosh_hits(
        self, query: wq.Query, limit: int | None, scored: bool = True
    ) -> tuple[list, list[float], int]:
        """(pks, scores, total) of matching objects of the queryset's model, best first when scored."""
        compiler = self.query_compiler
        model = compiler.queryset.model
        try:
            searcher = self.backend.store.searcher()
            if limit is not None and limit <= 0:
                return [], [], 0
            allowed = _docs_of_type(searcher, model.indexed_get_content_type())
            found = BulkEvaluator(searcher)(query)
            if found is not None:
                keep = np.isin(found.docs, allowed.array)
                docs, scores = found.docs[keep], found.scores[keep]
                total = int(docs.size)
                best = np.lexsort((docs, -scores))  # best score first, then index order
                if limit is not None:
                    best = best[:limit]
                top_n = list(zip(scores[best].tolist(), docs[best].tolist(), strict=True))
            else:
                results = searcher.search(query, limit=limit, filter=allowed.set, scored=scored)
                total, top_n = len(results), results.top_n
            if not top_n:
                return [], [], total
            column = _pk_column(searcher)
            to_python = model._meta.pk.to_python
            pks = [to_python(column[docnum]) for score, docnum in top_n]
            scores = [score or 0.0 for score, docnum in top_n]
        except IndexUnavailable as exc:
            self.index_unavailable = True
            _report_unavailable(self.backend.store, exc)
            return [], [], 0
        except Exception as exc:  # a damaged segment shows up only when read: never a 500
            logger.exception("Search failed on the Whoosh index")
            self.backend.store.clear_cache()
            self.index_unavailable = True
            _report_unavailable(self.backend.store, exc)
            return [], [], 0
        return pks, scores, total

    def _plan(self) -> tuple[str, wq.Query | None]:
        query = self.query_compiler.query
        if isinstance(query, MatchAll):
            return "all", None
        if isinstance(query, Not) and isinstance(query.subquery, MatchAll):
            return "none", None
        if isinstance(query, Not):
            return "exclude", self.query_compiler.compile(query.subquery)
        return "match", self.query_compiler.compile(query)

    def _restrict(self, queryset: QuerySet, pks: list) -> QuerySet:
        if len(pks) <= MAX_IN_LIST:
            return queryset.filter(pk__in=pks)
        wanted = set(pks)
        allowed = [pk for pk in queryset.values_list("pk", flat=True).iterator() if pk in wanted]
        return queryset.filter(pk__in=allowed) if len(allowed) <= MAX_IN_LIST else queryset

    def _fetch(self, queryset: QuerySet, pks: list, scores: dict | None) -> list:
        """The objects for ``pks`` in that order (objects deleted since indexing are skipped)."""
        if not pks:
            return []
        found = self._restrict(queryset.order_by(), pks)
        if self.prefetch_related:
            found = found.prefetch_related(*self.prefetch_related)
        by_pk = {obj.pk: obj for obj in found}
        objects = [by_pk[pk] for pk in pks if pk in by_pk]
        if self._score_field and scores is not None:
            for obj in objects:
                setattr(obj, self._score_field, scores.get(obj.pk, 0.0))
        return objects

    def _ordered(self, queryset: QuerySet) -> QuerySet:
        return queryset if queryset.ordered else queryset.order_by("-pk")

    def _evaluate(self, count_only: bool = False) -> tuple[list, int]:
        compiler = self.query_compiler
        queryset = compiler.queryset
        plan, query = self._plan()
        start, stop = self.start, self.stop

        if plan == "none":
            return [], 0
        if plan == "all":
            if count_only:
                return [], queryset.count()
            return list(self._ordered(queryset)[start:stop]), -1
        if plan == "exclude":
            pks, _, _ = self._whoosh_hits(query, None, scored=False)
            if self.index_unavailable:
                return [], 0
            excluded = queryset.exclude(pk__in=pks)
            if count_only:
                return [], excluded.count()
            return list(self._ordered(excluded)[start:stop]), -1

        if compiler.order_by_relevance and not queryset.query.where:
            # Fast path: Whoosh ranks and counts, the database loads only the requested page.
            pks, scores, total = self._whoosh_hits(query, stop)
            if count_only:
                return [], total
            page = pks[start:stop]
            return self._fetch(queryset, page, dict(zip(pks, scores, strict=True))), total

        if compiler.order_by_relevance:
            pks, scores, _ = self._whoosh_hits(query, None)
            allowed = set(self._restrict(queryset.order_by(), pks).values_list("pk", flat=True))
            ranked = [pk for pk in pks if pk in allowed]
            if count_only:
                return [], len(ranked)
            page = ranked[start:stop]
            return self._fetch(queryset, page, dict(zip(pks, scores, strict=True))), len(ranked)

        # The queryset's own ordering, on the matching rows.
        want_scores = self._score_field is not None
        pks, scores, _ = self._whoosh_hits(query, None, scored=want_scores)
        matching = self._restrict(queryset, pks)
        if count_only:
            return [], matching.count()
        objects = list(self._ordered(matching)[start:stop])
        if want_scores:
            by_pk = dict(zip(pks, scores, strict=True))
            for obj in objects:
                setattr(obj, self._score_field, by_pk.get(obj.pk, 0.0))
        return objects, -1

    def _do_search(self) -> list:
        return self._evaluate()[0]

    def _do_count(self) -> int:
        _, total = self._evaluate(count_only=True)
        start, stop = self.start, self.stop
        total = max(total - start, 0)
        return total if stop is None else min(total, stop - start)

    def facet(self, field_name: str) -> OrderedDict:
        """Counts of ``field_name`` values over all matches (not just this page), most common first."""
        compiler = self.query_compiler
        if compiler._get_filterable_field(field_name) is None:
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to {compiler.queryset.model.__name__}.search_fields.',
                field_name=field_name,
            )
        queryset = compiler.queryset.order_by()
        plan, query = self._plan()
        if plan == "none":
            return OrderedDict()
        if plan == "exclude":
            pks, _, _ = self._whoosh_hits(query, None, scored=False)
            queryset = queryset.exclude(pk__in=pks)
        elif plan == "match":
            pks, _, _ = self._whoosh_hits(query, None, scored=False)
            queryset = self._restrict(queryset, pks)
        rows = queryset.values(field_name).annotate(count=Count("pk")).order_by("-count", field_name)
        return OrderedDict((row[field_name], row["count"]) for row in rows)


# --- Indexes and rebuilds -------------------------------------------------------------------------------


class WhooshIndex(BaseIndex):
    """The single Whoosh index behind every model; each write waits for the lock and commits."""

    def __init__(self, backend: WhooshSearchBackend):
        super().__init__(backend)
        self.store: IndexStore = backend.store

    def get_key(self) -> str:
        return str(self.store.root)

    def __repr__(self) -> str:
        return f"<WhooshIndex {self.store.root}>"

    def reset(self) -> None:
        """Replace the index with an empty, complete one."""
        rebuild = self.store.rebuild()
        rebuild.start()
        rebuild.finish(self.backend.replay)

    def add_items(self, model: type[Model], items: Iterable[Model]) -> None:
        items = list(items)
        if not items or not model.get_search_fields():
            return
        self.store.update(
            (document_for(obj) for obj in items),
            (),
            [(obj._meta.label, str(obj.pk)) for obj in items],
        )

    def delete_item(self, item: Model) -> None:
        self.store.update((), [doc_id(type(item), item.pk)], [(item._meta.label, str(item.pk))])


class RebuildingIndex(WhooshIndex):
    """What ``update_index`` writes to: the generation being built, not the live one."""

    def __init__(self, backend: WhooshSearchBackend, rebuild: Rebuild):
        super().__init__(backend)
        self.rebuild = rebuild

    def add_items(self, model: type[Model], items: Iterable[Model]) -> None:
        if model.get_search_fields():
            self.rebuild.add(document_for(obj) for obj in items)

    def delete_item(self, item: Model) -> None:
        raise TypeError("A rebuild only adds documents; deletions go to the live index.")


class WhooshRebuilder:
    """``update_index`` support: build a fresh generation, then swap it in atomically."""

    def __init__(self, index: WhooshIndex):
        self.index = index
        self.rebuild = index.store.rebuild()

    def start(self) -> RebuildingIndex:
        self.rebuild.start()
        return RebuildingIndex(self.index.backend, self.rebuild)

    def finish(self) -> None:
        self.rebuild.finish(self.index.backend.replay)


class WhooshSearchBackend(BaseSearchBackend):
    """The site's default search backend (see the module docstring)."""

    query_compiler_class = WhooshSearchQueryCompiler
    autocomplete_query_compiler_class = WhooshAutocompleteQueryCompiler
    index_class = WhooshIndex
    results_class = WhooshSearchResults
    rebuilder_class = WhooshRebuilder
    catch_indexing_errors = True  # a publish must not fail because the index is busy or broken; it is logged

    def __init__(self, params: dict):
        super().__init__(params)
        path = params.get("PATH") or getattr(settings, "SEARCH_INDEX_DIR", "var/search-index")
        workers = params.get("REBUILD_WORKERS")
        self.store = IndexStore(
            path,
            lock_timeout=float(params.get("LOCK_TIMEOUT", 30)),
            rebuild_workers=None if workers is None else int(workers),
        )

    def status(self) -> IndexStatus:
        return self.store.status()

    @staticmethod
    def replay(entries: list[JournalEntry]) -> tuple[list[Document], list[str]]:
        """Documents to (re)write and ids to delete for objects changed while a rebuild ran."""
        docs, delete_ids = [], []
        for label, pk in dict.fromkeys(entries):
            model = apps.get_model(label)
            obj = model._default_manager.filter(pk=pk).first()
            indexed = get_indexed_instance(obj) if obj is not None else None
            if indexed is None:
                delete_ids.append(doc_id(model, pk))
            else:
                docs.append(document_for(indexed))
        return docs, delete_ids


SearchBackend = WhooshSearchBackend

__all__ = ["FIX_COMMAND", "SearchBackend", "WhooshSearchBackend", "document_for"]
