from __future__ import annotations

from typing import Any

from django import forms

from tomoni.lib.forms import Form
from tomoni.people.models import Consent

from .models import DocumentKind


class ConsentChoiceField(forms.ModelChoiceField[Consent]):
    def label_from_instance(self, obj: Consent) -> str:
        return f"{obj.get_scope_display()}・{obj.get_status_display()}（{obj.on:%Y-%m-%d}）"


class AttachmentForm(Form):
    file = forms.FileField(
        label="ファイル",
        help_text="PDF・JPEG・PNG・TIFF（形式はファイルの中身で確かめます）",
        required=False,
    )
    kind = forms.ChoiceField(label="書類の種類", choices=DocumentKind.choices)
    title = forms.CharField(label="説明", max_length=120, required=False)
    consent = ConsentChoiceField(
        label="この書類が署名した同意（同意書のとき）",
        queryset=Consent.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, consents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if consents is None:
            del self.fields["consent"]
        else:
            field = self.fields["consent"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = consents


class RemoveForm(Form):
    reason = forms.CharField(label="削除の理由", max_length=200)
