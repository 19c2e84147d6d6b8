"""Online applications (网上申请), their history, materials, ratings (好差评) and authorisations.

An `Application` is for one catalogue item and follows the workflow it started with
(`WorkflowSnapshot`). Its state changes only through `services.application_act`, which appends
an `ApplicationEvent`: the events are the application's history and the audit of every
action taken on it.

The promised time limit counts working days (workdays app). `due_on` is the last working day
of the promise: it moves later by the working days spent waiting for the applicant (补正),
while `paused_since` is set. `warn_on` is the day 80% of the promise is used. Both are stored
so the clerk's queues and the deadline sweep are plain indexed reads.

Form answers, comments and file names may hold personal data: they are encrypted at rest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citygate.privacy.fields import EncryptedTextField


class WorkflowSnapshot(models.Model):
    """One version of a procedure, exactly as an application started with it."""

    name = models.CharField(max_length=40)
    digest = models.CharField(max_length=64, unique=True)
    definition = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}@{self.digest[:8]}"


class Phase(models.TextChoices):
    """The clock of the application's current state (workflow.Clock), kept for queries."""

    RUNNING = "running", _("In progress")
    PAUSED = "paused", _("Waiting for the applicant")
    STOPPED = "stopped", _("Closed")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online, by the applicant")
    FAMILY = "family", _("Online, by an authorised family member")
    ASSISTED = "assisted", _("At a service centre, on the applicant's behalf")


class Confirmation(models.TextChoices):
    """How a person confirmed an application a service centre made for them."""

    SMS = "sms", _("SMS code")
    PAPER = "paper", _("Signed paper form")


class Application(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # 申请编号: SQ + date + sequence of the day, shown on the receipt.
    number = models.CharField(max_length=20, unique=True)
    item = models.ForeignKey(
        "catalog.ServiceItem", on_delete=models.PROTECT, related_name="applications"
    )
    # The item's department when the application was made: every staff read is scoped by it.
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    enterprise = models.ForeignKey(
        "accounts.Enterprise", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    workflow = models.ForeignKey(WorkflowSnapshot, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=40)
    # The state's stage (apply, accept, review, decide, done) and clock, kept for the queues.
    stage = models.CharField(max_length=8)
    phase = models.CharField(max_length=8, choices=Phase.choices, default=Phase.RUNNING)
    outcome = models.CharField(max_length=16, blank=True, default="")
    # What the applicant wrote (JSON of the form's fields), and what was filled in from the
    # verified account at submission.
    answers = EncryptedTextField()
    # Who pressed submit, when not the applicant: a clerk at a centre or a family member.
    channel = models.CharField(max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_submitted_for_others",
    )
    centre = models.ForeignKey(
        "halls.Hall", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmation = models.CharField(
        max_length=8, choices=Confirmation.choices, blank=True, default=""
    )
    # The resident's confirmation it was made in (帮办代办).
    assisted_session = models.ForeignKey(
        "AssistedSession", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80)
    request_digest = models.CharField(max_length=64)
    submitted_at = models.DateTimeField(default=timezone.now)
    # The promise, in working days from this day (the day of submission, or of an appeal that
    # reopened the application).
    clock_started_on = models.DateField()
    limit_days = models.PositiveSmallIntegerField()
    paused_days = models.PositiveSmallIntegerField(default=0)
    paused_since = models.DateField(null=True, blank=True)
    due_on = models.DateField()
    warn_on = models.DateField()
    # The current state's own limit, when it has one, and when its passing was reported.
    step_due_on = models.DateField(null=True, blank=True)
    step_warned_at = models.DateTimeField(null=True, blank=True)
    state_entered_at = models.DateTimeField(default=timezone.now)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Closed after its due day, or still open past it (set by the sweep): counted as late.
    late = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Working days from submission to closing, waiting for the applicant excluded.
    handling_days = models.PositiveSmallIntegerField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications_assigned",
    )
    appeals = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="application_idempotent"
            ),
            models.CheckConstraint(
                condition=Q(paused_since__isnull=True) | Q(phase="paused"),
                name="application_paused_only_when_paused",
            ),
        ]
        indexes = [
            # The workbench's queues: one department, one phase, by date.
            models.Index(fields=["department", "phase", "due_on"], name="app_queue_due"),
            models.Index(fields=["department", "stage", "submitted_at"], name="app_queue_new"),
            models.Index(fields=["assignee", "phase", "due_on"], name="app_queue_mine"),
            models.Index(fields=["department", "phase", "-closed_at"], name="app_queue_closed"),
            # The queues' counts and the choice of a page's rows, read from the index alone on
            # PostgreSQL (index-only scans: the counts take 1 ms instead of 25 at 100k
            # applications); elsewhere a plain index.
            models.Index(
                fields=["department", "phase"],
                include=["stage", "warn_on", "due_on", "assignee", "submitted_at", "id"],
                name="app_queue_counts",
            ),
            models.Index(fields=["applicant", "-submitted_at"], name="app_mine"),
            models.Index(fields=["phase", "warn_on"], name="app_sweep_warn"),
            models.Index(fields=["phase", "due_on"], name="app_sweep_due"),
            models.Index(fields=["phase", "step_due_on"], name="app_sweep_step"),
        ]

    def __str__(self) -> str:
        return self.number


class ApplicationEvent(models.Model):
    """One thing that happened to an application: its history and its audit trail."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=40)
    from_state = models.CharField(max_length=40, blank=True, default="")
    to_state = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "applicant", "clerk", "department_admin", "family", "centre" or "system".
    actor_role = models.CharField(max_length=20)
    # The inputs the action asked for (reason, legal basis, result, amount, materials asked
    # for) and a comment: shown to the applicant, so written for them.
    details = EncryptedTextField(blank=True, default="")
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("application", "seq")
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="application_event_seq")
        ]

    def __str__(self) -> str:
        return f"{self.application_id}#{self.seq} {self.action}"


class Draft(models.Model):
    """A form being filled in; one per person and item, gone when submitted."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="application_drafts"
    )
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="+")
    answers = EncryptedTextField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["applicant", "item"], name="draft_one_per_item")
        ]

    def __str__(self) -> str:
        return f"Draft {self.pk}"


def material_path(material: Material, filename: str) -> str:
    # Stored under an id, never under the name the person gave the file.
    return f"materials/{material.uploaded_at:%Y/%m}/{material.id}"


class Material(models.Model):
    """An uploaded file: seen by its owner and the clerks of the department it is handed to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="materials"
    )
    # Who uploaded it, when not the owner (a clerk at a centre, a family member).
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="materials"
    )
    # The form's upload key it answers ("" until handed in), and the event that handed it in
    # (a 补正 answer), if not the submission.
    key = models.CharField(max_length=40, blank=True, default="")
    event = models.ForeignKey(
        ApplicationEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to=material_path, max_length=200)
    original_name = EncryptedTextField()
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Material {self.pk}"


class Grade(models.IntegerChoices):
    """好差评's five grades."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    FAIRLY_SATISFIED = 3, _("Fairly satisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


# These grades open a follow-up for the department (差评整改).
POOR_GRADES = (Grade.DISSATISFIED, Grade.VERY_DISSATISFIED)


class Rating(models.Model):
    """One rating of one application or one hall visit, by the person served."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ratings"
    )
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.PROTECT, related_name="+")
    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    appointment = models.OneToOneField(
        "halls.Appointment", null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    tags = models.JSONField(default=list)
    comment = EncryptedTextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(application__isnull=False, appointment__isnull=True)
                | Q(application__isnull=True, appointment__isnull=False),
                name="rating_of_one_thing",
            ),
            models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="rating_grade"),
        ]
        indexes = [models.Index(fields=["department", "created_at"], name="rating_department")]

    def __str__(self) -> str:
        return f"Rating {self.pk}"


class FollowUpState(models.TextChoices):
    OPEN = "open", _("Being followed up")
    ANSWERED = "answered", _("Answered")
    REOPENED = "reopened", _("Reopened by the resident")
    CLOSED = "closed", _("Closed")


class FollowUp(models.Model):
    """差评整改: what the department does about a poor rating, within a deadline."""

    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="follow_up")
    department = models.ForeignKey(
        "directory.Department", on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(max_length=10, choices=FollowUpState.choices, default="open")
    due_on = models.DateField()
    answer = EncryptedTextField(blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(null=True, blank=True)
    # Why the resident reopened it (the rating itself stays as it was given).
    reopen_reason = EncryptedTextField(blank=True, default="")
    # Closed after its due day: counted against the department.
    late = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["department", "state", "due_on"], name="followup_queue")]

    def __str__(self) -> str:
        return f"FollowUp {self.pk}"


class Authorisation(models.Model):
    """A person lets a family member apply for them, for some items, until a date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorisations_given"
    )
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authorisations_held"
    )
    items = models.ManyToManyField("catalog.ServiceItem", related_name="+")
    # 与本人关系: how the grantee is related (配偶, 子女...), as the grantor said.
    relation = models.CharField(max_length=16)
    valid_until = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(grantor=models.F("grantee")), name="authorisation_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"Authorisation {self.pk}"


class AssistedSession(models.Model):
    """A centre clerk's right to apply for one resident, once the resident confirmed it.

    Made when the clerk starts; confirmed by the code sent to the resident's phone, or by a
    signed paper form (scanned, kept as a `Material` of the resident). Valid for a short while
    and for applications made at this centre by this clerk.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assisted_sessions"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assisted_for_me"
    )
    centre = models.ForeignKey("halls.Hall", on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, blank=True, default="")
    failures = models.PositiveSmallIntegerField(default=0)
    confirmation = models.CharField(
        max_length=8, choices=Confirmation.choices, blank=True, default=""
    )
    paper_form = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"AssistedSession {self.pk}"


class DailyCounter(models.Model):
    """The last application number given on a day (numbers have no gaps and no repeats)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
