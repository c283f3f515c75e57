from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/2fa/", views.two_factor, name="two_factor"),
    path("accounts/2fa/verify/", views.verify, name="verify"),
    path("accounts/2fa/app/", views.totp_setup, name="totp_setup"),
    path("accounts/2fa/passkey/options/", views.passkey_options, name="passkey_options"),
    path("accounts/2fa/passkey/", views.passkey_register, name="passkey_register"),
    path("accounts/2fa/verify/passkey/options/", views.passkey_challenge, name="passkey_challenge"),
    path("accounts/2fa/verify/passkey/", views.passkey_verify, name="passkey_verify"),
    path("accounts/2fa/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("accounts/2fa/<str:kind>/<int:pk>/remove/", views.remove, name="remove"),
]
