"""The inbox's actions on the messages page (the page itself is the shell's ``messages``).

Plain POST forms, so they work without JavaScript; each sends the person back to the page
they were on.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citygate.accounts.models import User
from citygate.core.errors import ApplicationError
from citygate.core.forms import PageForm
from citygate.core.validation import small_positive_int
from citygate.inbox import delivery, preferences, selectors, services
from citygate.inbox.models import Digest, Kind


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - guaranteed by login_required
    return user


def _back(request: HttpRequest) -> HttpResponse:
    target = reverse("shell:messages")
    page = small_positive_int(request.POST.get("page", ""), maximum=10_000)
    return redirect(f"{target}?page={page}" if page and page > 1 else target)


@login_required
@require_POST
def message_read(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    try:
        services.message_mark_read(user=_user(request), message_id=message_id)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return _back(request)


@login_required
@require_POST
def message_archive(request: HttpRequest, message_id: uuid.UUID) -> HttpResponse:
    try:
        services.message_archive(user=_user(request), message_id=message_id)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Message archived."))
    return _back(request)


class PreferencesForm(PageForm):
    """The preferences page: a checkbox per kind and push channel, the quiet hours, the news
    cap and the digest."""

    quiet_start = forms.TimeField(
        label=gettext_lazy("Quiet from"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_end = forms.TimeField(
        label=gettext_lazy("Quiet until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    news_daily_cap = forms.IntegerField(
        label=gettext_lazy("News pushes a day at most"),
        min_value=0,
        max_value=preferences.NEWS_DAILY_CAP_MAX,
    )
    news_digest = forms.ChoiceField(
        label=gettext_lazy("How news comes"), choices=Digest.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[f"channels_{kind.value}"] = forms.MultipleChoiceField(
                label=kind.label,
                required=False,
                choices=[(c.value, c.label) for c in preferences.PUSH_CHANNELS],
                widget=forms.CheckboxSelectMultiple,
            )

    def channels(self) -> dict[str, list[str]]:
        return {kind.value: self.cleaned_data[f"channels_{kind.value}"] for kind in Kind}


def _initial(choices: preferences.Choices) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "quiet_start": choices.quiet_start,
        "quiet_end": choices.quiet_end,
        "news_daily_cap": choices.news_daily_cap,
        "news_digest": choices.news_digest,
    }
    for kind in Kind:
        initial[f"channels_{kind.value}"] = choices.channels_for(kind)[1:]
    return initial


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    """What reaches the person where, and when news may be pushed."""
    user = _user(request)
    choices = selectors.notification_choices(user=user)
    form = PreferencesForm(request.POST or None, initial=_initial(choices))
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_settings_update(
                user=user,
                channels=form.channels(),
                quiet_start=form.cleaned_data["quiet_start"],
                quiet_end=form.cleaned_data["quiet_end"],
                news_daily_cap=form.cleaned_data["news_daily_cap"],
                news_digest=form.cleaned_data["news_digest"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("inbox:preferences")
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "kinds": [form[f"channels_{kind.value}"] for kind in Kind],
        "devices": [
            (device, selectors.masked_endpoint(device))
            for device in selectors.push_subscriptions_of(user=user)
        ],
    }
    return render(request, "inbox/preferences.html", context, status=status)


@login_required
@require_POST
def device_remove(request: HttpRequest, subscription_id: uuid.UUID) -> HttpResponse:
    """Turns notifications off for one of the person's devices."""
    try:
        services.push_subscription_remove(user=_user(request), subscription_id=subscription_id)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Notifications are off for that device."))
    return redirect("inbox:preferences")


@never_cache
@login_required
@require_GET
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """Where a text message's link leads: the message's own page (or the messages page)."""
    try:
        message = delivery.short_link_open(user_id=_user(request).pk, code=code)
    except ApplicationError:
        # Another person's link, or one that never was: the messages page, saying nothing.
        return redirect("shell:messages")
    return redirect(message.link or reverse("shell:messages"))
