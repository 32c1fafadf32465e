"""StreamField blocks of a lesson: text, media, a form to download, a callout, the procedure it teaches, an
ungraded knowledge check (one question from the quiz bank)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Video URL"), help_text=_("A link to the video on the bank's video service."))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("What it is for"), required=False, max_length=200)

    class Meta:
        icon = "doc-full"
        label = _("Form or document")
        template = "courses/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Key point")), ("warning", _("Red flag")), ("tip", _("Tip"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "ol", "ul", "link"])

    class Meta:
        icon = "warning"
        label = _("Callout")
        template = "courses/blocks/callout.html"


class ProcedureLinkBlock(blocks.StructBlock):
    procedure = blocks.PageChooserBlock(label=_("Procedure"), page_type="kb.ProcedurePage")
    note = blocks.CharBlock(label=_("What to look at"), required=False, max_length=200)

    class Meta:
        icon = "link"
        label = _("Procedure this lesson teaches")
        template = "courses/blocks/procedure_link.html"


class KnowledgeCheckBlock(blocks.StructBlock):
    question = SnippetChooserBlock("quizzes.Question", label=_("Question"))

    class Meta:
        icon = "help"
        label = _("Knowledge check (ungraded)")
        template = "courses/blocks/knowledge_check.html"


LESSON_BLOCKS = [
    ("text", blocks.RichTextBlock(label=_("Text"), features=RICH_FEATURES, icon="pilcrow")),
    ("image", ImageBlock()),
    ("video", VideoBlock()),
    ("document", DocumentBlock()),
    ("callout", CalloutBlock()),
    ("procedure", ProcedureLinkBlock()),
    ("check", KnowledgeCheckBlock()),
]
