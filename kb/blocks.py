"""StreamField blocks for procedures: who is responsible for what, and the numbered steps."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks

RICH_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]


class ResponsibilityBlock(blocks.StructBlock):
    role = blocks.CharBlock(label=_("Role"), max_length=60)
    duty = blocks.TextBlock(label=_("Responsible for"))

    class Meta:
        icon = "user"
        label = _("Responsibility")


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Step"), max_length=120)
    instructions = blocks.RichTextBlock(label=_("Instructions"), features=RICH_FEATURES)
    responsible_role = blocks.CharBlock(label=_("Responsible role"), max_length=60)
    time_limit = blocks.CharBlock(
        label=_("Time limit / SLA"), max_length=120, required=False, help_text=_("e.g. within 2 working days")
    )
    note_kind = blocks.ChoiceBlock(
        label=_("Note"),
        choices=[("warning", _("Warning")), ("tip", _("Tip"))],
        required=False,
    )
    note = blocks.TextBlock(label=_("Note text"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Step")
