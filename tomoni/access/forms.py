from __future__ import annotations

from django import forms

from tomoni.lib.forms import Form

from .actions import MIN_REASON
from .models import BreakGlass


class BreakGlassForm(Form):
    object_type = forms.CharField(widget=forms.HiddenInput)
    object_id = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        label="理由の区分",
        choices=[("", "選んでください"), *BreakGlass.Category.choices],
        error_messages={"required": "理由の区分を選んでください。"},
    )
    reason = forms.CharField(
        label="具体的な理由",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=f"誰の、何のために必要かを{MIN_REASON}文字以上で。後日、監査担当が確認します。",
        error_messages={"required": "具体的な理由を入力してください。"},
    )


class ReviewForm(Form):
    comment = forms.CharField(
        label="確認の所見",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="例: 理由は妥当（安否確認）。本人の担当機関に共有済み。",
        error_messages={"required": "確認の所見を入力してください。"},
    )
