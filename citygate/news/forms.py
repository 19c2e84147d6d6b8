"""The newsroom's staff forms. They read what an editor typed; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citygate.core.forms import PageForm
from citygate.directory.selectors import district_list
from citygate.news import selectors, services
from citygate.news.models import (
    SUMMARY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ReviewDecision,
    StoryState,
)

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class StateFilter(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *list(StoryState.choices)]
    )


class StoryForm(PageForm):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    summary = forms.CharField(
        label=pgettext_lazy("news", "Summary"),
        required=False,
        max_length=SUMMARY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in lists and notices."),
    )
    body = forms.CharField(
        label=pgettext_lazy("story body", "Story"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_(
            "HTML: paragraphs, headings, lists, quotes, links, tables and our own images. "
            "Anything else is removed when saved."
        ),
    )
    channel = forms.ChoiceField(label=pgettext_lazy("news", "Channel"))
    tags = forms.MultipleChoiceField(
        label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple
    )
    districts = forms.MultipleChoiceField(
        label=_("Districts concerned"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None: the whole city."),
    )
    language = forms.ChoiceField(label=_("Language of the story"), choices=settings.LANGUAGES)
    source = forms.CharField(label=_("Source"), required=False, max_length=100)
    author = forms.CharField(label=_("Author"), required=False, max_length=100)
    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    cover_alt = forms.CharField(
        label=_("Cover description"),
        required=False,
        max_length=200,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)
    publish_at = forms.DateTimeField(
        label=_("Publish at"),
        required=False,
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Empty: published as soon as the last review approves it."),
    )
    note = forms.CharField(
        label=_("What changed"), required=False, max_length=services.NOTE_MAX_LENGTH
    )
    # The version the editor started from: required when editing, so that a newer version
    # saved meanwhile is never overwritten unseen.
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = editing
        choices = {
            "channel": [(c.slug, c.display_name) for c in selectors.channel_list()],
            "tags": [(t.slug, t.display_name) for t in selectors.tag_list()],
            "districts": [(d.code, d.display_name) for d in district_list()],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
            field.choices = options

    def story_input(self) -> services.StoryInput:
        data = self.cleaned_data
        return services.StoryInput(
            title=data["title"],
            summary=data["summary"],
            body=data["body"],
            channel=data["channel"],
            tags=data["tags"],
            districts=data["districts"],
            language=data["language"],
            source=data["source"],
            author=data["author"],
            cover_alt=data["cover_alt"],
            publish_at=data["publish_at"],
            note=data["note"],
        )


class ReviewForm(PageForm):
    decision = forms.ChoiceField(
        label=pgettext_lazy("news", "Decision"),
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=services.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the story: say what has to change."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.IntegerField(widget=forms.HiddenInput)


class NoticeForm(PageForm):
    notice = forms.CharField(
        label=_("Notice shown on the story"),
        max_length=services.NOTICE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confirm = forms.BooleanField(
        label=_("I confirm: everyone who was sent this story will be told."),
    )
