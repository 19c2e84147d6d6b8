"""The campaign editor's form: content, segment and time; the services judge the values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from citygate.accounts.models import VerificationLevel
from citygate.campaigns import segments
from citygate.campaigns.models import HEADLINE_MAX_LENGTH, SUMMARY_MAX_LENGTH, CampaignKind
from citygate.core.forms import PageForm
from citygate.directory.models import District
from citygate.directory.selectors import street_choices
from citygate.news.models import NewsTag, Story, StoryState

SEGMENT_FIELDS = ("districts", "streets", "roles", "age_bands", "languages", "tags")
STORY_CHOICES = 50


class CampaignForm(PageForm):
    service_aliases = {
        "story_id": "story",
        **{f"segment.{name}": name for name in (*SEGMENT_FIELDS, "min_level")},
    }

    kind = forms.ChoiceField(
        label=_("Kind"), choices=CampaignKind.choices, widget=forms.RadioSelect
    )
    story = forms.ChoiceField(
        label=_("Story"),
        required=False,
        help_text=_("A published story; leave empty to write a notice below."),
    )
    headline_zh = forms.CharField(
        label=_("Headline in Chinese"), max_length=HEADLINE_MAX_LENGTH, required=False
    )
    headline_en = forms.CharField(
        label=_("Headline in English"),
        max_length=HEADLINE_MAX_LENGTH,
        required=False,
        help_text=_("Readers of the English site see the Chinese when this is empty."),
    )
    summary_zh = forms.CharField(
        label=_("Summary in Chinese"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    summary_en = forms.CharField(
        label=pgettext_lazy("campaign", "Summary in English"),
        max_length=SUMMARY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    districts = forms.MultipleChoiceField(
        label=_("Districts"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The districts people said they live in. None chosen: the whole city."),
    )
    streets = forms.MultipleChoiceField(
        label=_("Streets and towns"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A street reaches only the people who gave it; a district chosen above already "
            "reaches all of its streets."
        ),
    )
    roles = forms.MultipleChoiceField(
        label=_("Who"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(segments.ROLES.items()),
    )
    age_bands = forms.MultipleChoiceField(
        label=_("Age"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(segments.AGE_BAND_LABELS.items()),
        help_text=_("Only people who verified their identity have an age."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Language"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=list(segments.LANGUAGES.items()),
    )
    tags = forms.MultipleChoiceField(
        label=_("Following"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People who follow any of these topics."),
    )
    min_level = forms.TypedChoiceField(
        label=_("Verified at least"),
        coerce=int,
        choices=VerificationLevel.choices,
        initial=VerificationLevel.PHONE,
    )
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to send as soon as it is approved."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stories = Story.objects.filter(state=StoryState.PUBLISHED).order_by("-published_at")
        story_field = self.fields["story"]
        assert isinstance(story_field, forms.ChoiceField)  # noqa: S101
        story_field.choices = [
            ("", _("No story: a notice")),
            *((str(story.pk), story.title) for story in stories[:STORY_CHOICES]),
        ]
        districts = self.fields["districts"]
        assert isinstance(districts, forms.ChoiceField)  # noqa: S101
        districts.choices = [(d.code, d.display_name) for d in District.objects.all()]
        self._street_groups = street_choices(kept=self.initial.get("streets") or ())
        streets = self.fields["streets"]
        assert isinstance(streets, forms.ChoiceField)  # noqa: S101
        streets.choices = [choice for _, group in self._street_groups for choice in group]
        tags = self.fields["tags"]
        assert isinstance(tags, forms.ChoiceField)  # noqa: S101
        tags.choices = [(t.slug, t.display_name) for t in NewsTag.objects.all()]

    def street_groups(self) -> list[tuple[str, list[Any], bool]]:
        """The street checkboxes by district: its name, its boxes, whether one is ticked."""
        boxes = {box.data["value"]: box for box in self["streets"]}
        chosen = set(self["streets"].value() or ())
        groups = []
        for name, choices in self._street_groups:
            codes = [code for code, _label in choices]
            groups.append((name, [boxes[c] for c in codes], bool(chosen & set(codes))))
        return groups

    def service_data(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "story_id": data["story"] or None,
            "headline_zh": data["headline_zh"],
            "headline_en": data["headline_en"],
            "summary_zh": data["summary_zh"],
            "summary_en": data["summary_en"],
            "send_at": data["send_at"],
            "segment": {
                **{name: data[name] for name in SEGMENT_FIELDS},
                "min_level": data["min_level"],
            },
        }


def initial_from(campaign: Any) -> dict[str, object]:
    segment = campaign.segment or {}
    return {
        "kind": campaign.kind,
        "story": str(campaign.story_id or ""),
        "headline_zh": campaign.headline_zh,
        "headline_en": campaign.headline_en,
        "summary_zh": campaign.summary_zh,
        "summary_en": campaign.summary_en,
        "send_at": campaign.send_at,
        **{name: segment.get(name, []) for name in SEGMENT_FIELDS},
        "min_level": segment.get("min_level", VerificationLevel.PHONE),
    }
