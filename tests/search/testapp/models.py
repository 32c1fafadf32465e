"""Test-only models: a page type shaped like the coming kb procedures, and a plain indexed model."""

from __future__ import annotations

from django.db import models
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.models import Page
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

CATEGORIES = [("complaints", "客戶投訴"), ("aml", "反洗錢"), ("kyc", "身份核實"), ("it", "系統故障")]


class SampleProcedureTag(TaggedItemBase):
    content_object = ParentalKey("SampleProcedurePage", related_name="tagged_items", on_delete=models.CASCADE)


class SampleProcedurePage(Page):
    """Title, body, tags, category, code and date: what real kb page types will declare."""

    body = models.TextField(blank=True)
    code = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=32, choices=CATEGORIES, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    tags = ClusterTaggableManager(through=SampleProcedureTag, blank=True)

    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.SearchField("code", boost=3),
        index.AutocompleteField("code"),
        index.FilterField("code"),
        index.FilterField("category"),
        index.FilterField("effective_date"),
        index.RelatedFields("tags", [index.SearchField("name"), index.FilterField("slug")]),
    ]


class NoticeQuerySet(SearchableQuerySetMixin, models.QuerySet):
    pass


class Notice(index.Indexed, models.Model):
    """A plain (non-page) indexed model; the benchmark's documents."""

    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    code = models.CharField(max_length=32, blank=True)
    category = models.CharField(max_length=32, choices=CATEGORIES, blank=True)
    published = models.DateField(null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body"),
        index.SearchField("code"),
        index.AutocompleteField("title"),
        index.FilterField("category"),
        index.FilterField("published"),
        index.FilterField("code"),
    ]

    def __str__(self) -> str:
        return self.title
