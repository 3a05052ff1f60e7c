"""Forms of the import pages: upload, mapping, confirm; and the list filter."""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings

from vcio.core.filters import FilterSet
from vcio.core.importer.base import Target, presets_for
from vcio.core.importer.mapping import IGNORE
from vcio.core.models import ImportRun

_MB = 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files; cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(label="File(s)")
    preset = forms.ChoiceField(
        label="Layout",
        required=False,
        help_text="Which tool exported the file; recognised from its columns when left alone.",
    )
    sheet = forms.CharField(
        required=False,
        max_length=100,
        help_text="XLSX only: the sheet to read when the workbook has data on several.",
    )
    atomic = forms.BooleanField(
        label="All or nothing",
        required=False,
        initial=True,
        help_text="Import nothing if any row has a problem.",
    )

    def __init__(self, *args, target: Target, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preset"].choices = [("", "Recognise automatically")] + [
            (p.name, p.label) for p in presets_for(target.key)
        ]
        limit = settings.VCIO_IMPORT_MAX_MB
        self.fields[
            "files"
        ].help_text = f"CSV or XLSX (or agent inventory files), at most {limit} MB each."

    def clean_files(self) -> list:
        files = self.cleaned_data["files"]
        limit = settings.VCIO_IMPORT_MAX_MB
        for f in files:
            if f.size > limit * _MB:
                raise forms.ValidationError(
                    f"{f.name}: the file is {f.size / _MB:.1f} MB; the limit is {limit} MB "
                    "(VCIO_IMPORT_MAX_MB)"
                )
        return files


class MappingForm(forms.Form):
    """One select per column of the file: the field it fills, or not imported."""

    def __init__(self, *args, target: Target, run: ImportRun, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(IGNORE, "— not imported —")] + [(f.name, f.label) for f in target.fields]
        self.headers: list[str] = [h for h in run.headers if isinstance(h, str)]
        for index, header in enumerate(self.headers):
            self.fields[f"map-{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                required=False,
                initial=(run.mapping or {}).get(header, IGNORE),
            )

    def mapping(self) -> dict[str, str]:
        """Header → field name (IGNORE when not imported), from the cleaned form."""
        return {
            header: self.cleaned_data.get(f"map-{index}") or IGNORE
            for index, header in enumerate(self.headers)
        }


class ConfirmForm(forms.Form):
    atomic = forms.BooleanField(
        label="All or nothing",
        required=False,
        help_text="Untick to import the good rows and skip those with problems.",
    )


class ImportRunFilter(FilterSet):
    """The imports list, on the client page and in the API."""

    target = django_filters.CharFilter()
    status = django_filters.ChoiceFilter(choices=ImportRun.Status.choices)
    client = django_filters.CharFilter(field_name="client__slug", label="Client (slug)")

    class Meta:
        model = ImportRun
        fields = ["client", "target", "status"]
