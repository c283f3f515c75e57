from __future__ import annotations

from django import forms

from tomoni.lib.forms import Form


class CodeForm(Form):
    """A code typed at the second step: six digits from the app, or a recovery code."""

    code = forms.CharField(label="確認コード", max_length=40)

    def __init__(self, *args: object, recovery: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        attrs = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        if recovery:
            field.label = "リカバリーコード"
            field.help_text = "例: 7K3P-Q9WD-2M8X（ハイフンはなくても構いません）"
        else:
            field.label = "認証アプリに表示されている6桁の数字"
            attrs = {"autocomplete": "one-time-code", "inputmode": "numeric"}
        field.widget.attrs.update(attrs)


class TotpSetupForm(Form):
    code = forms.CharField(
        label="アプリに表示された6桁の数字",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label="名前（どのスマートフォンか分かるように）",
        max_length=64,
        required=False,
        help_text="例: 業務用スマートフォン。空欄なら「認証アプリ」になります。",
    )
