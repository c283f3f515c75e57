from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

# django-otp's own admin would show each app's secret as a QR code to whoever holds Django's
# model permissions. Devices are reset through StaffAdmin's audited action instead.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
