"""OpenSearch/Elasticsearch index settings for Chinese (needs the analysis-icu plugin on the cluster).

Text fields without an explicit analyzer use ``default``: ICU NFKC, Traditional→Simplified, lower case,
CJK bigrams *plus* unigrams (so single characters and two-character words inside compounds both match), and
light English stemming. Autocomplete fields keep modelsearch's edge n-grams, with the same folding first.
"""

from __future__ import annotations

_FOLD = ["icu_normalizer", "t2s", "cjk_width", "lowercase"]

CJK_INDEX_SETTINGS: dict = {
    "settings": {
        "analysis": {
            "filter": {
                "t2s": {"type": "icu_transform", "id": "Traditional-Simplified"},
                "cjk_bigram_unigrams": {"type": "cjk_bigram", "output_unigrams": True},
                "english_light_stem": {"type": "stemmer", "language": "light_english"},
            },
            "analyzer": {
                "default": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*_FOLD, "cjk_bigram_unigrams", "english_light_stem"],
                },
                "edgengram_analyzer": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": [*_FOLD, "edgengram"],
                },
                "standard": {
                    "type": "custom",
                    "tokenizer": "standard",
                    "filter": _FOLD,
                },
            },
        }
    }
}
