"""The feed's pages: the feed with the reason for each story (/news/for-you/) and the
recommendation settings (/me/recommendation/).

Plain forms, so everything works without JavaScript. Neither page is cached: each is worked
out from the person's current setting.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.forms import PageForm
from citygate.core.validation import small_positive_int
from citygate.directory import selectors as directory
from citygate.feed import selectors, services
from citygate.feed.api import MAX_PAGE


@never_cache
@require_http_methods(["GET"])
def feed_page(request: HttpRequest) -> HttpResponse:
    """The feed, each story with the reason it is there."""
    user = request.user if isinstance(request.user, User) else None
    number = small_positive_int(request.GET.get("page", ""), maximum=MAX_PAGE) or 1
    if user is not None:
        services.minor_readings_forget(user=user)
    page = selectors.feed_page(user=user, page=number)
    return render(request, "feed/feed.html", {"page": page, "signed_in": user is not None})


class SwitchForm(PageForm):
    personalized = forms.TypedChoiceField(
        label=gettext_lazy("Your feed"),
        choices=[
            (
                "1",
                gettext_lazy(
                    "Personalised: from the topics you follow, your district and what you read"
                ),
            ),
            ("0", gettext_lazy("The same for everyone: the latest and the most read stories")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )


class FollowForm(PageForm):
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("Follow more topics"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["tags"]
        assert isinstance(field, forms.MultipleChoiceField)  # noqa: S101 - declared above
        field.choices = choices


class DistrictForm(PageForm):
    district = forms.ChoiceField(
        label=gettext_lazy("The district you live in"),
        required=False,
        help_text=gettext_lazy("Stories about your district come first. We never guess it."),
        widget=forms.Select(attrs={"data-place-district": ""}),
    )
    street = forms.ChoiceField(
        label=gettext_lazy("Your street or town"),
        required=False,
        help_text=gettext_lazy(
            "Only for notices meant for your street or town, such as a water cut. Optional."
        ),
        widget=forms.Select(attrs={"data-place-street": ""}),
    )

    def __init__(
        self,
        *args: Any,
        choices: list[tuple[str, str]],
        street_choices: list[tuple[str, list[tuple[str, str]]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("I would rather not say")), *choices]
        street = self.fields["street"]
        assert isinstance(street, forms.ChoiceField)  # noqa: S101 - declared above
        street.choices = [("", _("I would rather not say")), *street_choices]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    return user


def _forms(
    request: HttpRequest, user: User, action: str
) -> tuple[SwitchForm, FollowForm, DistrictForm]:
    state = selectors.personalisation(user=user)
    follow_choices = [(t.slug, t.display_name) for t in selectors.tags_to_follow(user=user)]
    district_choices = [(d.code, d.display_name) for d in selectors.districts()]
    own = [user.home_street.code] if user.home_street is not None else []
    street_choices = directory.street_choices(kept=own)
    place = {
        "district": user.home_district.code if user.home_district is not None else "",
        "street": user.home_street.code if user.home_street is not None else "",
    }

    def bound(name: str) -> Any:
        return request.POST if request.method == "POST" and action == name else None

    return (
        SwitchForm(bound("switch"), initial={"personalized": "1" if state.chosen else "0"}),
        FollowForm(bound("follow"), choices=follow_choices),
        DistrictForm(
            bound("district"),
            choices=district_choices,
            street_choices=street_choices,
            initial=place,
        ),
    )


def _act(request: HttpRequest, user: User, action: str, form: PageForm | None) -> str | None:
    """Does what the form asks; returns the message to show, or None when nothing was done."""
    if action == "delete":
        services.interest_tag_delete(user=user, slug=request.POST.get("tag", ""))
        return _("The topic is deleted. It will not be used for your feed again.")
    if form is None or not form.is_valid():
        return None
    if isinstance(form, SwitchForm):
        on = form.cleaned_data["personalized"]
        services.recommendation_set(user=user, personalized=on)
        if on:
            return _("Your feed is personalised.")
        return _("Personalisation is off: your feed is now the same for everyone.")
    if isinstance(form, FollowForm):
        for slug in form.cleaned_data["tags"]:
            services.interest_tag_follow(user=user, slug=slug)
        return _("You follow the chosen topics.")
    services.home_place_set(
        user=user,
        district=form.cleaned_data["district"] or None,
        street=form.cleaned_data["street"] or None,
    )
    return _("Where you live is saved.")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def recommendation_page(request: HttpRequest) -> HttpResponse:
    """推荐设置: the switch, the topics used for the feed, the district, how it all works."""
    user = _user(request)
    services.minor_readings_forget(user=user)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    switch, follow, district = _forms(request, user, action)
    if request.method == "POST":
        form = {"switch": switch, "follow": follow, "district": district}.get(action)
        try:
            done = _act(request, user, action, form)
        except ApplicationError as error:
            if form is None:
                # Deleting a topic is a button, not a form: its field's message says it all.
                messages.error(request, str(next(iter(error.fields.values()), error.message)))
                return redirect("feed:recommendation")
            form.add_application_error(error)
        else:
            if done is not None:
                messages.success(request, done)
                return redirect("feed:recommendation")

    context = {
        "state": selectors.personalisation(user=user),
        "tags": selectors.interest_tags(user=user),
        "switch": switch,
        "follow": follow,
        "district_form": district,
        "any_errors": any(f.is_bound and f.errors for f in (switch, follow, district)),
    }
    status = 400 if context["any_errors"] else 200
    return render(request, "feed/recommendation.html", context, status=status)
