"""The filters of the resource lists, one FilterSet shared by `inventory/{kind}/` and the resource pages.

Several values of one parameter (`?zone=a&zone=b` or `?zone=a,b`) are ORed; tags are ANDed
(`?tag=team` asks for the key to be set, `?tag=team=web` for that value). A bad value is an
InvalidInput naming its parameter, so the API answers 400 and a page shows the message.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.http import QueryDict

from connections.models import Connection
from connections.services import provider_get
from resources.models import Operation, Resource
from spiderweb.errors import InvalidInput

# `ordering` names → model fields; connection then name is the default and always the tie-breaker,
# which makes the order total (names are unique per connection and kind) and pages stable.
ORDER_FIELDS: dict[str, str] = {
    "name": "name",
    "connection": "connection__name",
    "region": "region",
    "zone": "zone",
    "status": "status",
    "created_at": "created_at",
    "last_seen_at": "last_seen_at",
}
DEFAULT_ORDERING = ("connection", "name")
TRUE, FALSE = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})


class ManyValues(forms.Widget):
    """Every value of a parameter given several times or as a comma list, blanks dropped."""

    split_commas = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if isinstance(data, QueryDict) else [data.get(name, "")]
        if not self.split_commas:
            return [value for value in values if value.strip()]
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]


class WholeValues(ManyValues):
    """Every value of a parameter given several times, commas kept (a tag's value may hold one)."""

    split_commas = False


class ManyField(forms.Field):
    widget = ManyValues

    def to_python(self, value: Any) -> tuple[Any, ...]:
        return tuple(value or ())


class TagField(ManyField):
    widget = WholeValues

    def to_python(self, value: Any) -> tuple[tuple[str, str | None], ...]:
        tags: list[tuple[str, str | None]] = []
        for raw in value or ():
            key, equals, tag_value = raw.partition("=")
            if not key.strip():
                raise forms.ValidationError(f"tag must be `key` or `key=value`, not {raw!r}")
            tags.append((key.strip(), tag_value if equals else None))
        return tuple(tags)


class FlagField(forms.Field):
    """`true`/`false` (or 1/0, yes/no); anything else is refused rather than read as false."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> bool | None:
        text = str(value or "").strip().lower()
        if not text:
            return None
        if text not in TRUE | FALSE:
            raise forms.ValidationError(f"{self.label} must be true or false, not {value!r}")
        return text in TRUE


class NumberField(forms.Field):
    """A number of at least 0 of one type (int, float or Decimal); the message names the value given."""

    def __init__(self, *, number: Callable[[str], Any], what: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.number, self.what = number, what

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            number = self.number(text)
            valid = math.isfinite(number) and number >= 0
        except (ValueError, ArithmeticError):
            valid = False
        if not valid:
            raise forms.ValidationError(f"{self.label} must be {self.what} of at least 0, not {text!r}")
        return number


class WholeNumberField(NumberField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(number=_whole, what="a whole number", **kwargs)


def _whole(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    return int(text)


class TextField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


def query_values(form_class: type[forms.Form], params: QueryDict) -> dict[str, Any]:
    """The cleaned query parameters a form declares; the first bad one is an InvalidInput naming it.

    Each field's label is its parameter's name, so messages read `min_vcpu must be …`.
    """
    form = form_class(params)
    for name, field in form.fields.items():
        field.label = name
    if not form.is_valid():
        name, messages = next(iter(form.errors.items()))
        raise InvalidInput(str(messages[0]), field=name)
    return dict(form.cleaned_data)


class ManyFilter(django_filters.Filter):
    field_class = ManyField


class TagFilter(django_filters.Filter):
    field_class = TagField


class FlagFilter(django_filters.Filter):
    field_class = FlagField


def _any_of(field: str, values: tuple[str, ...]) -> Q:
    found = Q()
    for value in values:
        found |= Q(**{field: value})
    return found


class ResourceFilterSet(django_filters.FilterSet):
    provider = ManyFilter(method="by_provider")
    connection = ManyFilter(method="by_connection")
    region = ManyFilter(field_name="region", lookup_expr="in")
    zone = ManyFilter(method="by_zone")
    status = ManyFilter(method="by_status")
    tag = TagFilter(method="by_tags")
    managed = FlagFilter(field_name="managed", label="managed")
    missing = FlagFilter(method="by_missing", label="missing")
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    ordering = ManyFilter(method="ordered")

    class Meta:
        model = Resource
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet[Resource]:
        """The filtered records, always in a total order; an invalid parameter raises InvalidInput."""
        if not self.is_valid():
            name, messages = next(iter(self.errors.items()))
            raise InvalidInput(str(messages[0]), field=name)
        queryset: QuerySet[Resource] = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*order_by(()))
        return queryset

    def by_provider(self, queryset: QuerySet[Resource], name: str, value: tuple[str, ...]) -> QuerySet[Resource]:
        for provider in value:
            provider_get(name=provider, field="provider")
        return queryset.filter(connection__provider__in=value)

    def by_connection(self, queryset: QuerySet[Resource], name: str, value: tuple[str, ...]) -> QuerySet[Resource]:
        found = dict(Connection.objects.filter(name__in=value).values_list("name", "pk"))
        unknown = sorted(set(value) - set(found))
        if unknown:
            raise InvalidInput(f"no connection named {', '.join(map(repr, unknown))}", field="connection")
        return queryset.filter(connection_id__in=found.values())

    def by_zone(self, queryset: QuerySet[Resource], name: str, value: tuple[str, ...]) -> QuerySet[Resource]:
        # A record without a zone of its own (a VPC found by a refresh, say) is in its connection's.
        return queryset.filter(Q(zone__in=value) | Q(zone="", connection__region__zone__in=value))

    def by_status(self, queryset: QuerySet[Resource], name: str, value: tuple[str, ...]) -> QuerySet[Resource]:
        return queryset.filter(_any_of("status__iexact", value))

    def by_tags(
        self, queryset: QuerySet[Resource], name: str, value: tuple[tuple[str, str | None], ...]
    ) -> QuerySet[Resource]:
        for key, tag_value in value:
            queryset = (
                queryset.filter(tags__has_key=key)
                if tag_value is None
                else queryset.filter(tags__contains={key: tag_value})
            )
        return queryset

    def by_missing(self, queryset: QuerySet[Resource], name: str, value: bool) -> QuerySet[Resource]:
        return queryset.filter(missing_since__isnull=not value)

    def ordered(self, queryset: QuerySet[Resource], name: str, value: tuple[str, ...]) -> QuerySet[Resource]:
        return queryset.order_by(*order_by(value))


class OperationFilterSet(django_filters.FilterSet):
    """`operations/`: each parameter an exact match; `connection` by the name the operation kept."""

    state = django_filters.CharFilter(field_name="state")
    action = django_filters.CharFilter(field_name="action")
    target_kind = django_filters.CharFilter(field_name="target_kind")
    target_name = django_filters.CharFilter(field_name="target_name")
    connection = django_filters.CharFilter(field_name="connection_name")

    class Meta:
        model = Operation
        fields: list[str] = []


class SummaryScope(forms.Form):
    provider = ManyField(required=False)
    connection = ManyField(required=False)
    hide_empty = FlagField(required=False)


def summary_scope(params: QueryDict) -> dict[str, Any]:
    """`inventory/summary/`'s parameters as `inventory_summary` takes them."""
    data = query_values(SummaryScope, params)
    return {"providers": data["provider"], "connections": data["connection"], "hide_empty": bool(data["hide_empty"])}


def order_by(ordering: tuple[str, ...] | list[str]) -> list[Any]:
    """Order expressions for `ordering` names (`-` for descending), ending with the default tie-breakers."""
    keys = [*ordering, *(name for name in DEFAULT_ORDERING if name not in ordering and f"-{name}" not in ordering)]
    order: list[Any] = []
    for key in keys:
        descending = key.startswith("-")
        name = key.removeprefix("-")
        if name not in ORDER_FIELDS:
            raise InvalidInput(f"cannot order by {name!r}; choose from {', '.join(ORDER_FIELDS)}", field="ordering")
        # Records never seen at the cloud sort last either way, as "no date" is not the newest date.
        expression = F(ORDER_FIELDS[name])
        order.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
    return order
